/**
 * The AWS SDK prints a multi-line NodeVersionSupportWarning on Node 20 (a
 * future SDK release will need Node 22). The project supports Node 20, so
 * for a person reading the tools' output it is noise; every other warning
 * still goes through.
 */
export function quietSdkNodeVersionWarning(): void {
  const emit = process.emitWarning.bind(process) as (...args: unknown[]) => void;
  process.emitWarning = ((warning: unknown, ...rest: unknown[]) => {
    const text = warning instanceof Error ? warning.message : String(warning);
    if (text.startsWith('NodeVersionSupportWarning')) return;
    emit(warning, ...rest);
  }) as typeof process.emitWarning;
}
