"""The time grammar on phrasings written for these tests: cron, every-N-weeks and only-on rules."""

from __future__ import annotations

import pytest

from agents.planner.schedule import find_schedule
from agents.planner.text import normalise
from agents.planner.zones import find_timezone
from workflows.cron import validate_crontab
from workflows.spec import ScheduleTrigger

# (request, cron, week_interval, only_on)
SCHEDULES: list[tuple[str, str, int, str | None]] = [
    # weekday first or last, plurals, abbreviations, typos
    ("Friday 3pm send the weekly report to #ops", "0 15 * * 5", 1, None),
    ("payday reminder to #staff at 8am on the 15th and on the last day of the month",
     "0 8 15,28-31 * *", 1, "last_day"),
    ("send the weekly report to #ops friday 3pm", "0 15 * * 5", 1, None),
    ("Mondays 8am post the pipeline in #sales", "0 8 * * 1", 1, None),
    ("post the pipeline in #sales on mondays at 8", "0 8 * * 1", 1, None),
    ("every wednsday at 10am email me the numbers", "0 10 * * 3", 1, None),
    ("thurdays 4pm remind #team about timesheets", "0 16 * * 4", 1, None),
    ("every tuseday at 9:30 send the agenda", "30 9 * * 2", 1, None),
    ("each Fri at 17:00 post the wins", "0 17 * * 5", 1, None),
    ("weekly on thurs at 11am list unpaid invoices", "0 11 * * 4", 1, None),
    ("sundays 6pm remind everyone to fill in goals", "0 18 * * 0", 1, None),
    # days left out: "not on weekends", "except weekends" with a time and nothing else
    ("send me the error summary at 8am but not on weekends", "0 8 * * 1-5", 1, None),
    ("post the open tickets at 6pm except weekends", "0 18 * * 1-5", 1, None),
    ("every day at 9 except on mondays post the numbers", "0 9 * * 0,2,3,4,5,6", 1, None),
    # a bare hour window after the days it applies to
    ("weekdays 9 to 5, every hour check the support inbox", "0 9-17 * * 1-5", 1, None),
    # school days are weekdays; "periodically" with no rate is once a day at 09:00
    ("every school day at 10:30 email the absent list", "30 10 * * 1-5", 1, None),
    ("periodically delete the old messages in #random", "0 9 * * *", 1, None),
    # the European whole hour
    ("every sunday at 20h send the weekly digest", "0 20 * * 0", 1, None),
    # weekday sets
    ("weekdays at 7 post yesterday's orders", "0 7 * * 1-5", 1, None),
    ("Mon-Fri 8am send the stand-up list", "0 8 * * 1-5", 1, None),
    ("monday to friday at 6pm send the day's totals", "0 18 * * 1-5", 1, None),
    ("mon, wed and fri at 9 post new deals", "0 9 * * 1,3,5", 1, None),
    ("Mon/Wed/Fri 8am post new hubspot deals", "0 8 * * 1,3,5", 1, None),
    ("every tuesday and thursday at 5:30pm post ticket counts", "30 17 * * 2,4", 1, None),
    ("Tue\u2013Thu at 10am send the queue", "0 10 * * 2-4", 1, None),
    ("every weekend at 10am check the bookings sheet", "0 10 * * 0,6", 1, None),
    ("every day except weekends at 9 post the rota", "0 9 * * 1-5", 1, None),
    ("every day at 24:00 rotate the logs", "0 0 * * *", 1, None),
    ("on weekends at 9 post the weekend rota", "0 9 * * 0,6", 1, None),
    ("every business day at 8:15 send the overdue list", "15 8 * * 1-5", 1, None),
    ("each weekday morning post today's meetings", "0 9 * * 1-5", 1, None),
    ("every Monday morning send the plan", "0 9 * * 1", 1, None),
    # every day, parts of the day
    ("daily at 6pm recap today's revenue", "0 18 * * *", 1, None),
    ("every day at noon post the lunch menu", "0 12 * * *", 1, None),
    ("every morning email me new reddit posts", "0 9 * * *", 1, None),
    ("every evening at 7 send the summary", "0 19 * * *", 1, None),
    ("every night at 11 back up the contacts", "0 23 * * *", 1, None),
    ("nightly sync of contacts to the sheet", "0 2 * * *", 1, None),
    ("every night at midnight export orders", "0 0 * * *", 1, None),
    ("send the digest every day at 8 in the morning", "0 8 * * *", 1, None),
    ("every afternoon at 3 post open tickets", "0 15 * * *", 1, None),
    ("daily at 5 email me the sales", "0 17 * * *", 1, None),
    ("daily at 6 in the morning post stock levels", "0 6 * * *", 1, None),
    ("every day at 07:45 post the KPIs", "45 7 * * *", 1, None),
    ("every day at 8.30am send the briefing", "30 8 * * *", 1, None),
    ("every day at half past 8 send the briefing", "30 8 * * *", 1, None),
    ("every day at quarter to 9 post the standup", "45 8 * * *", 1, None),
    ("every day at quarter past 10 check the queue", "15 10 * * *", 1, None),
    ("every day at 9 o'clock send the list", "0 9 * * *", 1, None),
    ("every day at 1730 send the summary", "30 17 * * *", 1, None),
    ("each day at 8 a.m. post the weather", "0 8 * * *", 1, None),
    ("every day at end of day send the totals", "0 17 * * *", 1, None),
    # several times a day, intervals, windows
    ("twice a day at 8 and 5 post open invoices", "0 8,17 * * *", 1, None),
    ("twice a day (9am + 3pm) post open invoices", "0 9,15 * * *", 1, None),
    # the times said after "twice a day" without "at"; a weekday before a plural part of the day
    ("stock alerts to #ops twice a day is enough, 8 and 3", "0 8,15 * * *", 1, None),
    ("three times a day: 7, 12 and 6 post the queue length", "0 7,12,18 * * *", 1, None),
    ("saturday mornings email me the week's sales", "0 9 * * 6", 1, None),
    ("tuesday evenings at 8 post the quiz in #fun", "0 20 * * 2", 1, None),
    # "one X a day / a week" is a rate ("one after a day" is a wait, not a rate)
    ("give the owner one email a day with the new bookings", "0 9 * * *", 1, None),
    ("send me one digest a week of the new reviews", "0 9 * * 1", 1, None),
    ("twice a year remind #hr to start the reviews", "0 9 1 1,7 *", 1, None),
    ("twice a month email me the stock count", "0 9 1,15 * *", 1, None),
    ("twice a week at 10 post the open tickets", "0 10 * * 1,4", 1, None),
    ("every day at 8am and 5pm check the queue", "0 8,17 * * *", 1, None),
    ("three times a day post the stock levels", "0 9,13,17 * * *", 1, None),
    ("hourly check the status page", "0 * * * *", 1, None),
    ("every hour on the hour sync the sheet", "0 * * * *", 1, None),
    ("every 15 minutes pull new customers", "*/15 * * * *", 1, None),
    ("every 5 mins check the api", "*/5 * * * *", 1, None),
    ("every half hour sync orders", "*/30 * * * *", 1, None),
    ("every minute check the queue", "* * * * *", 1, None),
    ("every 2 hours check the Etsy api", "0 */2 * * *", 1, None),
    ("every two hours check the Etsy api", "0 */2 * * *", 1, None),
    ("every 15 minutes during office hours on weekdays check the inbox", "*/15 9-17 * * 1-5", 1,
     None),
    ("every 15 minutes between 7am and 7pm on weekdays hit the metrics", "*/15 7-18 * * 1-5", 1,
     None),
    ("weekdays between 7 and 7 every 15 minutes check orders", "*/15 7-18 * * 1-5", 1, None),
    ("hourly between 9am and 5pm on weekdays list stale tickets", "0 9-17 * * 1-5", 1, None),
    ("every hour from 9 to 5 check the form", "0 9-17 * * *", 1, None),
    ("every 3 hours between 8am and 8pm pull new responses", "0 8-20/3 * * *", 1, None),
    ("every 30 minutes 9am-6pm sync the sheet", "*/30 9-17 * * *", 1, None),
    # zones next to times
    ("every monday 9am London time post sales", "0 9 * * 1", 1, None),
    ("daily at 3pm PST send the report", "0 15 * * *", 1, None),
    ("every weekday at 8 CET post refunds", "0 8 * * 1-5", 1, None),
    ("every day at 7 eastern send the orders", "0 7 * * *", 1, None),
    ("fridays 4:30pm pacific post the numbers", "30 16 * * 5", 1, None),
    ("every morning at 7:45 Singapore time send the digest", "45 7 * * *", 1, None),
    # every other, every N
    ("every other day at 9 post open tickets", "0 9 */2 * *", 1, None),
    ("every second day send the reminder", "0 9 */2 * *", 1, None),
    ("every 3 days check the backups", "0 9 */3 * *", 1, None),
    ("every other week send the newsletter", "0 9 * * 1", 2, None),
    ("every other Monday at 10 send the retro notes", "0 10 * * 1", 2, None),
    ("fortnightly on fridays email the invoices", "0 9 * * 5", 2, None),
    ("biweekly status report to #leadership", "0 9 * * 1", 2, None),
    ("every 3 weeks on tuesday at 2pm review the budget", "0 14 * * 2", 3, None),
    # days of the month, month ends, business days
    ("on the 1st at 9 send invoices", "0 9 1 * *", 1, None),
    ("on the 1st and 15th at 8am email the client report", "0 8 1,15 * *", 1, None),
    ("the 10th and 25th of each month at 9:30 post payroll reminders", "30 9 10,25 * *", 1, None),
    ("on the 5th of every month send the statements", "0 9 5 * *", 1, None),
    ("first of the month at 7am build the report", "0 7 1 * *", 1, None),
    ("monthly report of new leads", "0 9 1 * *", 1, None),
    ("first business day of the month at 8 send the MRR report", "0 8 1-3 * *", 1,
     "first_business_day"),
    ("on the first working day of each month email the accountant", "0 9 1-3 * *", 1,
     "first_business_day"),
    ("on the 2nd business day of each month at 9 email me the P&L", "0 9 2-4 * *", 1,
     "second_business_day"),
    ("third working day of the month at 10am remind finance", "0 10 3-5 * *", 1,
     "third_business_day"),
    ("last day of the month at 5pm post the deals report", "0 17 28-31 * *", 1, "last_day"),
    ("at the end of every month at 5pm close the books", "0 17 28-31 * *", 1, "last_day"),
    ("month-end at 6pm email the ledger", "0 18 28-31 * *", 1, "last_day"),
    ("last business day of the month at 4pm remind finance", "0 16 26-31 * *", 1,
     "last_business_day"),
    ("last friday of the month at 5pm post the team photo", "0 17 * * 5", 1, "last_week"),
    ("first monday of every month at 10 send the roadmap", "0 10 * * 1", 1, "first_week"),
    # quarters and years
    ("every quarter send the board a revenue report", "0 9 1 1,4,7,10 *", 1, None),
    ("quarterly revenue report by email", "0 9 1 1,4,7,10 *", 1, None),
    ("each quarter on the 5th at 9am email the accountant", "0 9 5 1,4,7,10 *", 1, None),
    ("last day of each quarter at 4pm email the revenue report", "0 16 28-31 3,6,9,12 *", 1,
     "last_day"),
    ("On the last weekday of each quarter at 4pm, email me a revenue report",
     "0 16 26-31 3,6,9,12 *", 1, "last_business_day"),
    ("every January 1st send the year summary", "0 9 1 1 *", 1, None),
    ("every year on march 15 remind us about taxes", "0 9 15 3 *", 1, None),
    ("annually send the renewal notice", "0 9 1 1 *", 1, None),
    # weekdays listed without commas, "3x a day" with its times, the middle of the month
    ("mon wed fri at 9 post a fitness tip in #wellness", "0 9 * * 1,3,5", 1, None),
    ("3x a day (8, 12, 4) post open tickets to #support", "0 8,12,16 * * *", 1, None),
    ("2x a week post a tip in #marketing", "0 9 * * 1,4", 1, None),
    ("mid-month email me the budget check", "0 9 15 * *", 1, None),
    ("in the middle of each month email me the budget", "0 9 15 * *", 1, None),
    # days left out with "skip", times "-ish", several times in one phrase, 24-hour "0745"
    ("every 2 hours refresh the stock sheet, skipping weekends", "0 */2 * * 1-5", 1, None),
    ("every day around 3ish post the open orders in #ops", "0 15 * * *", 1, None),
    ("back up the donations sheet at 6am and 6pm", "0 6,18 * * *", 1, None),
    ("every tuesday 0745 email the team the rota", "45 7 * * 2", 1, None),
]  # fmt: skip

NOT_SCHEDULES = [
    "send it to the 3 people who signed up",
    "we are on version 2.5 of the app, tell #dev when a build fails",
    "call me on +44 20 7946 0958 when a big order comes in",
    "text 555-123-4567 when the site goes down",
    "the plan costs £9.99, email new subscribers a welcome",
    "we offer 24/7 support, forward support@ mail to #support",
    "Blast the Black Friday offer to our list on Friday at 9am",
    "send everyone a happy holidays email on Dec 24",
    "Downgrade every customer on the Pro plan to Basic at the end of the month",
    "reply if a mail arrives outside 8am-6pm mon-fri",
    "post hot leads between 9am and 6pm, otherwise first thing the next morning",
    "send check-in emails on day 2, 5 and 14 at 9am",
    "at 14 days send a firmer reminder, at 30 days post it in #finance",
    "don't alert more than once an hour when an order fails",
    "send the 2nd reminder to anyone who hasn't paid",
    "reply within one business day to every form submission",
    "tomorrow at 9 send the proposal",
    "email me friday's numbers when they land",
    "every time a deal closes, post it in #wins",
    "a 5xx error rate above 2% should page #eng",
    "post 2-3 tips when a new member joins",
    "the backup takes 20h, tell #ops when it fails",
    "when a mid priority ticket comes in post it to #support",
    "when someone gets a 2x bonus email payroll",
]


@pytest.mark.parametrize(("phrase", "cron", "weeks", "only_on"), SCHEDULES)
def test_time_phrases_become_a_schedule(
    phrase: str, cron: str, weeks: int, only_on: str | None
) -> None:
    schedule = find_schedule(normalise(phrase))
    assert schedule is not None, phrase
    assert (schedule.cron, schedule.week_interval, schedule.only_on) == (cron, weeks, only_on)
    # Each reading is a trigger the spec accepts (cron.py refuses day-of-month plus weekday).
    assert validate_crontab(schedule.cron) == cron
    ScheduleTrigger.model_validate(schedule.trigger_fields())


@pytest.mark.parametrize("phrase", NOT_SCHEDULES)
def test_numbers_dates_and_windows_that_do_not_recur_are_no_schedule(phrase: str) -> None:
    assert find_schedule(normalise(phrase)) is None


@pytest.mark.parametrize(
    ("phrase", "cron", "zone"),
    [
        ("every day at 9am London time", "0 9 * * *", "Europe/London"),
        ("daily at 3pm PST", "0 15 * * *", "America/Los_Angeles"),
        ("every weekday at 8 CET", "0 8 * * 1-5", "Europe/Paris"),
        ("send a weekly digest on sundays at 20h CET", "0 20 * * 0", "Europe/Paris"),
        ("Wkly (Thurs 11am Sydney) list unpaid invoices", "0 11 * * 4", "Australia/Sydney"),
        (
            "weekdays 0745 HKT post the shipping list in #warehouse",
            "45 7 * * 1-5",
            "Asia/Hong_Kong",
        ),
        ("every friday at 4pm NZST email the team the wins", "0 16 * * 5", "Pacific/Auckland"),
        ("daily 0900 SGT email me the orders", "0 9 * * *", "Asia/Singapore"),
    ],
)
def test_zone_words_beside_a_time_keep_both_the_time_and_the_zone(
    phrase: str, cron: str, zone: str
) -> None:
    text = normalise(phrase)
    schedule = find_schedule(text)
    assert schedule is not None
    assert (schedule.cron, find_timezone(text)) == (cron, zone)
