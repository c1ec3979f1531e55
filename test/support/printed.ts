/**
 * What a provider method prints while it runs: the engine shows a dynamic provider's standard
 * output during the command, so the lines destroy and refresh print are part of what users read.
 */
export async function printed<T>(fn: () => Promise<T>): Promise<{ result: T; lines: string }> {
  const spy = jest.spyOn(process.stdout, "write").mockImplementation(() => true);
  try {
    const result = await fn();
    return { result, lines: spy.mock.calls.map((c) => String(c[0])).join("") };
  } finally {
    spy.mockRestore();
  }
}
