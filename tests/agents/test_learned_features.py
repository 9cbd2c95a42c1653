"""Feature hashing is stable across processes and sees tool names as concepts."""

from __future__ import annotations

import subprocess
import sys

import numpy as np

from agents.learned.features import FeatureConfig, bucket, featurize, tokens

TEXT = "Every Monday at 9am post the HubSpot numbers in #sales"


def test_the_same_text_gives_the_same_columns_and_values() -> None:
    config = FeatureConfig()
    first, second = featurize(TEXT, config), featurize(TEXT, config)
    assert np.array_equal(first[0], second[0]) and np.array_equal(first[1], second[1])
    assert abs(float(np.linalg.norm(first[1])) - 1.0) < 1e-5


def test_hashing_does_not_depend_on_the_process_hash_seed() -> None:
    code = (
        "from agents.learned.features import FeatureConfig, featurize;"
        f"print(featurize({TEXT!r}, FeatureConfig())[0].tolist())"
    )
    outputs = {
        subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            check=True,
            env={"PYTHONHASHSEED": seed},
        ).stdout
        for seed in ("1", "2")
    }
    assert len(outputs) == 1
    assert outputs.pop().strip() == str(featurize(TEXT, FeatureConfig())[0].tolist())


def test_buckets_are_pinned_because_the_shipped_weights_depend_on_them() -> None:
    assert bucket("w:slack", 1 << 16) == 57009687 % (1 << 16)
    assert all(0 <= bucket(f"w:{i}", 97) < 97 for i in range(200))


def test_tool_names_clocks_and_channels_add_concepts() -> None:
    found = tokens("every monday at 9am pull deals from pipedrive into #sales", FeatureConfig())
    assert {"k:crm", "k:clock", "k:slack"} <= set(found)
    plain = tokens("every monday at 9am pull deals from pipedrive", FeatureConfig(concepts=False))
    assert not any(name.startswith("k:") for name in plain)


def test_case_and_curly_quotes_do_not_change_features() -> None:
    config = FeatureConfig()
    a = featurize("Don\u2019t EMAIL the Customer", config)
    b = featurize("don't email the customer", config)
    assert np.array_equal(a[0], b[0]) and np.allclose(a[1], b[1])
