/**
 * How the command prints an error: one line on stderr, or with `--debug` (TRACKBRIDGE_DEBUG=1)
 * the whole stack and its causes. Any command or start-up step that fails calls reportError.
 */
let withStacks = false;

export function setDebug(on: boolean): void {
  withStacks = on;
}

/** The message on one line: driver errors often quote a statement over several. */
export function oneLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.replace(/\s*\n\s*/g, ' ').trim();
}

export function reportError(err: unknown): void {
  if (!withStacks || !(err instanceof Error)) {
    console.error(`trackbridge: ${oneLine(err)}`);
    return;
  }
  let cause: unknown = err;
  let prefix = 'trackbridge: ';
  while (cause !== undefined) {
    console.error(`${prefix}${cause instanceof Error ? cause.stack ?? cause.message : String(cause)}`);
    cause = cause instanceof Error ? cause.cause : undefined;
    prefix = 'caused by: ';
  }
}
