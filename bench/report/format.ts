// Number formats shared by the terminal table and the HTML report.

export const fmtRate = (n: number): string => (n >= 1e6 ? `${(n / 1e6).toFixed(2)}M` : n >= 1e3 ? `${(n / 1e3).toFixed(1)}k` : n.toFixed(n < 10 ? 1 : 0));
export const fmtUs = (us: number | null | undefined): string =>
  us == null ? '–' : us >= 1e6 ? `${(us / 1e6).toFixed(2)} s` : us >= 1e3 ? `${(us / 1e3).toFixed(2)} ms` : `${Math.round(us)} µs`;
export const fmtBytes = (b: number | null | undefined): string =>
  b == null ? '–' : b >= 1024 ** 3 ? `${(b / 1024 ** 3).toFixed(2)} GiB` : b >= 1024 ** 2 ? `${(b / 1024 ** 2).toFixed(1)} MiB` : b >= 1024 ? `${(b / 1024).toFixed(1)} KiB` : `${Math.round(b)} B`;
export const fmtNum = (n: number | null | undefined, digits = 3): string => (n == null ? '–' : Number(n.toPrecision(digits)).toString());
export const fmtPct = (n: number): string => `${(n * 100).toFixed(n > 0 && n < 0.001 ? 4 : 2)}%`;
