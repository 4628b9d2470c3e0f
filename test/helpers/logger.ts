import type { Logger } from '../../shared/ports/logger.ts';

/** A logger that keeps what it was told, for tests that check what an operator would read. */
export function recordingLogger() {
  const lines: { level: string; message: string }[] = [];
  const at =
    (level: string) =>
    (message: string): void => {
      lines.push({ level, message });
    };
  const logger: Logger = { info: at('info'), warn: at('warn'), error: at('error') };
  return { logger, lines };
}
