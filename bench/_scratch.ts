process.env.NODE_ENV = 'production';
process.env.FORCE_COLOR = '3';
const { FakeStdin, FakeStdout } = await import('./lib/fake-tty.ts');
const React = (await import('react')).default;
const { render, Box, Text } = await import('ink');
const { createAppStore } = await import('../src/state/store.ts');
const { Header } = await import('../src/views/components/Header.tsx');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function mount(el: React.ReactElement, cols: number, rows: number, overflowProbe = false) {
  const stdout = new FakeStdout(cols, rows);
  const st = { renders: 0, ms: 0 };
  const inst = render(el, { stdout: stdout as any, stderr: new FakeStdout(cols, rows) as any, stdin: new FakeStdin() as any, exitOnCtrlC: false, patchConsole: false, maxFps: 15, incrementalRendering: true, onRender: (m) => { st.renders++; st.ms += m.renderTime; } });
  return { stdout, st, inst };
}

// 1. Header: renders per lastRefreshAt change
{
  const store = createAppStore({ cluster: 'demo', intervalMs: 2000, nodes: [{ name: 'a', target: 'x', endpoint: null }] });
  const m = mount(React.createElement(Header, { store, width: 160 }), 160, 45);
  await sleep(200);
  for (const [what, fn] of [['lastRefreshAt', () => store.setState({ lastRefreshAt: Date.now() })], ['cluster name', () => store.setState({ cluster: 'demo' + Math.random() })]] as const) {
    let r = 0, w = 0;
    for (let i = 0; i < 10; i++) {
      const r0 = m.st.renders, w0 = m.stdout.writes;
      fn();
      await sleep(150);
      r += m.st.renders - r0; w += m.stdout.writes - w0;
    }
    console.log(`Header alone, change ${what}: ${r / 10} Ink frames per change, ${w / 10} writes`);
  }
  m.inst.unmount();
}

// 2. Floor: a full-screen frame of N lines of text, with/without colours, with/without overflow hidden
for (const [cols, rows] of [[80, 24], [160, 45], [250, 70]] as const) {
  for (const variant of ['plain 1 Text/line', 'coloured 8 segs/line', 'coloured + overflow hidden']) {
    function Screen({ n }: { n: number }) {
      const lines = [];
      for (let y = 0; y < rows; y++) {
        const base = `${n} line ${y} `.padEnd(cols, 'abcdefghij');
        if (variant === 'plain 1 Text/line') lines.push(React.createElement(Text, { key: y }, base.slice(0, cols)));
        else {
          const seg = Math.floor(cols / 8);
          const kids = [];
          for (let s = 0; s < 8; s++) kids.push(React.createElement(Text, { key: s, color: s % 2 ? 'green' : 'gray', bold: s === 0 }, base.slice(s * seg, (s + 1) * seg)));
          lines.push(React.createElement(Text, { key: y }, ...kids));
        }
      }
      return React.createElement(Box, { flexDirection: 'column', width: cols, height: rows, overflow: variant.includes('overflow') ? 'hidden' : 'visible' }, ...lines);
    }
    const m = mount(React.createElement(Screen, { n: 0 }), cols, rows);
    await sleep(100);
    const N = 30;
    for (let i = 1; i <= 10; i++) { m.inst.rerender(React.createElement(Screen, { n: i })); await sleep(70); }
    const r0 = m.st.renders, ms0 = m.st.ms;
    const c0 = process.cpuUsage();
    for (let i = 11; i <= 10 + N; i++) { m.inst.rerender(React.createElement(Screen, { n: i })); await sleep(70); }
    const c = process.cpuUsage(c0);
    console.log(`${cols}x${rows} ${variant}: ${((c.user + c.system) / 1000 / N).toFixed(2)} ms CPU/frame, Ink renderTime ${((m.st.ms - ms0) / (m.st.renders - r0)).toFixed(2)} ms/frame (${m.st.renders - r0} frames)`);
    m.inst.unmount();
  }
}
process.exit(0);
