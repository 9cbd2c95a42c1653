// The live status visual: a node with pulsing rings drawn on a <canvas>, one colour per state.
// `new StatusCanvas(canvas).set("processing", {count: 2})`; the state is also written to
// canvas.dataset.state. With prefers-reduced-motion the picture is drawn still, once per change.

export const STATES = ["idle", "thinking", "processing", "waiting", "success", "error"];

const COLOURS = {
  idle: { main: "#64748b", soft: "#e2e8f0", glow: "rgba(100,116,139,.18)" },
  thinking: { main: "#7c3aed", soft: "#ede9fe", glow: "rgba(124,58,237,.2)" },
  processing: { main: "#4f46e5", soft: "#e0e7ff", glow: "rgba(79,70,229,.22)" },
  waiting: { main: "#d97706", soft: "#fef3c7", glow: "rgba(217,119,6,.22)" },
  success: { main: "#0f7b48", soft: "#d1fae5", glow: "rgba(15,123,72,.24)" },
  error: { main: "#b42318", soft: "#fee4e2", glow: "rgba(180,35,24,.24)" },
};

export class StatusCanvas {
  constructor(canvas) {
    this.canvas = canvas;
    this.ctx = canvas.getContext("2d");
    this.state = canvas.dataset.state || "idle";
    this.count = 0;
    this.changedAt = performance.now();
    this.frame = 0;
    this.motion = window.matchMedia("(prefers-reduced-motion: reduce)");
    this.motion.addEventListener?.("change", () => this.redraw());
    this.resize();
    new ResizeObserver(() => this.resize()).observe(canvas);
    this.redraw();
  }

  /** Show `state` (one of STATES); `count` is how many runs or approvals it stands for. */
  set(state, { count = 0 } = {}) {
    if (!STATES.includes(state)) throw new Error(`unknown state ${state}`);
    const changed = state !== this.state;
    this.state = state;
    this.count = count;
    if (changed) {
      this.canvas.dataset.state = state;
      this.changedAt = performance.now();
    }
    this.redraw();
  }

  resize() {
    const ratio = window.devicePixelRatio || 1;
    const size = this.canvas.clientWidth || 260;
    this.canvas.width = Math.round(size * ratio);
    this.canvas.height = Math.round(size * ratio);
    this.scale = ratio;
    this.redraw();
  }

  redraw() {
    cancelAnimationFrame(this.frame);
    const still = this.motion.matches;
    const tick = (now) => {
      this.draw(still ? 0 : (now - this.changedAt) / 1000);
      if (!still) this.frame = requestAnimationFrame(tick);
    };
    if (still) tick(this.changedAt);
    else this.frame = requestAnimationFrame(tick);
  }

  draw(t) {
    const { ctx, canvas, state } = this;
    const c = COLOURS[state];
    const w = canvas.width;
    const mid = w / 2;
    const r = w * 0.2;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, w, w);
    const glow = ctx.createRadialGradient(mid, mid, r * 0.5, mid, mid, mid);
    glow.addColorStop(0, c.glow);
    glow.addColorStop(1, "rgba(255,255,255,0)");
    ctx.fillStyle = glow;
    ctx.fillRect(0, 0, w, w);

    // Expanding pulse rings (processing, waiting), one burst for success and error.
    const pulses = { processing: 3, waiting: 2, thinking: 2, idle: 1 }[state] ?? 0;
    const period = state === "processing" ? 1.8 : 3.2;
    for (let i = 0; i < pulses && t > 0; i++) {
      const phase = ((t / period + i / pulses) % 1);
      this.ring(mid, r * (1.1 + phase * 1.25), c.main, (1 - phase) * (state === "idle" ? 0.18 : 0.45), w * 0.006);
    }
    if ((state === "success" || state === "error") && t < 1.2 && t > 0) {
      const phase = t / 1.2;
      this.ring(mid, r * (1.1 + phase * 1.3), c.main, 1 - phase, w * 0.012);
    }

    // Track and arc.
    this.ring(mid, r * 1.35, c.soft, 1, w * 0.03);
    ctx.lineCap = "round";
    ctx.strokeStyle = c.main;
    ctx.lineWidth = w * 0.03;
    ctx.beginPath();
    if (state === "processing" || state === "thinking") {
      const start = t * (state === "thinking" ? 1.6 : 3.2);
      ctx.arc(mid, mid, r * 1.35, start, start + Math.PI * (0.6 + 0.35 * Math.sin(t * 2)));
    } else if (state === "waiting") {
      const fill = t ? 0.5 + 0.5 * Math.sin(t * 1.6) : 1;
      ctx.globalAlpha = 0.35 + 0.65 * fill;
      ctx.arc(mid, mid, r * 1.35, -Math.PI / 2, Math.PI * 1.5);
    } else if (state !== "idle") {
      ctx.arc(mid, mid, r * 1.35, -Math.PI / 2, -Math.PI / 2 + Math.PI * 2 * Math.min(1, t ? t / 0.6 : 1));
    }
    ctx.stroke();
    ctx.globalAlpha = 1;

    // Satellites: one per active run (processing) or pending approval (waiting), up to 8.
    const satellites = state === "processing" || state === "waiting" ? Math.min(8, Math.max(1, this.count)) : 0;
    for (let i = 0; i < satellites; i++) {
      const angle = (i / satellites) * Math.PI * 2 + (state === "processing" ? t * 1.1 : 0) - Math.PI / 2;
      const x = mid + Math.cos(angle) * r * 1.85;
      const y = mid + Math.sin(angle) * r * 1.85;
      ctx.strokeStyle = c.soft;
      ctx.lineWidth = w * 0.008;
      ctx.beginPath();
      ctx.moveTo(mid + Math.cos(angle) * r * 1.5, mid + Math.sin(angle) * r * 1.5);
      ctx.lineTo(x, y);
      ctx.stroke();
      ctx.fillStyle = c.main;
      ctx.beginPath();
      ctx.arc(x, y, w * 0.022, 0, Math.PI * 2);
      ctx.fill();
    }

    // The node and its symbol.
    const breathe = state === "idle" && t ? 1 + 0.03 * Math.sin(t * 1.5) : 1;
    ctx.fillStyle = c.main;
    ctx.beginPath();
    ctx.arc(mid, mid, r * breathe, 0, Math.PI * 2);
    ctx.fill();
    this.symbol(state, mid, r * 0.5, t);
  }

  ring(mid, radius, colour, alpha, width) {
    const { ctx } = this;
    ctx.globalAlpha = Math.max(0, alpha);
    ctx.strokeStyle = colour;
    ctx.lineWidth = width;
    ctx.beginPath();
    ctx.arc(mid, mid, radius, 0, Math.PI * 2);
    ctx.stroke();
    ctx.globalAlpha = 1;
  }

  symbol(state, mid, s, t) {
    const { ctx } = this;
    ctx.strokeStyle = "#fff";
    ctx.fillStyle = "#fff";
    ctx.lineWidth = s * 0.28;
    ctx.lineCap = "round";
    ctx.lineJoin = "round";
    ctx.beginPath();
    if (state === "idle") {
      ctx.moveTo(mid - s * 0.7, mid);
      ctx.lineTo(mid + s * 0.7, mid);
      ctx.stroke();
    } else if (state === "thinking") {
      // Three dots lighting up in turn: the draft is being checked.
      for (let i = -1; i <= 1; i++) {
        ctx.globalAlpha = t ? 0.35 + 0.65 * Math.max(0, Math.sin(t * 4 - (i + 1) * 0.9)) : 1;
        ctx.beginPath();
        ctx.arc(mid + i * s * 0.6, mid, s * 0.18, 0, Math.PI * 2);
        ctx.fill();
      }
      ctx.globalAlpha = 1;
    } else if (state === "processing") {
      for (let i = -1; i <= 1; i++) {
        const lift = t ? Math.max(0, Math.sin(t * 6 - i)) * s * 0.25 : 0;
        ctx.beginPath();
        ctx.arc(mid + i * s * 0.6, mid - lift, s * 0.18, 0, Math.PI * 2);
        ctx.fill();
      }
    } else if (state === "waiting") {
      // An hourglass: someone has to approve before anything runs.
      ctx.lineWidth = s * 0.18;
      ctx.moveTo(mid - s * 0.55, mid - s * 0.75);
      ctx.lineTo(mid + s * 0.55, mid - s * 0.75);
      ctx.lineTo(mid - s * 0.55, mid + s * 0.75);
      ctx.lineTo(mid + s * 0.55, mid + s * 0.75);
      ctx.closePath();
      ctx.stroke();
    } else if (state === "success") {
      ctx.moveTo(mid - s * 0.6, mid + s * 0.02);
      ctx.lineTo(mid - s * 0.15, mid + s * 0.48);
      ctx.lineTo(mid + s * 0.65, mid - s * 0.45);
      ctx.stroke();
    } else {
      ctx.moveTo(mid - s * 0.5, mid - s * 0.5);
      ctx.lineTo(mid + s * 0.5, mid + s * 0.5);
      ctx.moveTo(mid + s * 0.5, mid - s * 0.5);
      ctx.lineTo(mid - s * 0.5, mid + s * 0.5);
      ctx.stroke();
    }
  }
}
