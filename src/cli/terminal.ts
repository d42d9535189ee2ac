import type { DestinationStream } from 'pino';
import pretty from 'pino-pretty';

/** Where the CLI writes: a terminal when `isTTY` is true, else a pipe or a file. */
export interface Output extends NodeJS.WritableStream {
  isTTY?: boolean;
}

/**
 * Where logs go. In a terminal a person reads them: one short line each, with the time and the
 * level in colour. Piped or redirected, they stay one JSON object per line, for a log collector;
 * undefined then, which is pino's own JSON on stdout.
 */
export function logStreamFor(out: Output): DestinationStream | undefined {
  if (!out.isTTY) return undefined;
  return pretty({
    destination: out,
    colorize: true,
    sync: true,
    translateTime: 'SYS:HH:MM:ss',
    // The start-up line says its address and database in its message already.
    ignore: 'pid,hostname,reqId,req,res,responseTime,address,database',
    messageFormat: (log, messageKey) => {
      const req = log.req as { method?: string; path?: string } | undefined;
      const res = log.res as { statusCode?: number } | undefined;
      const id = log.reqId ? `${log.reqId} ` : '';
      if (req) return `${id}${req.method} ${req.path}`;
      if (res) return `${id}answered ${res.statusCode} in ${Math.round(Number(log.responseTime))} ms`;
      return String(log[messageKey] ?? '');
    },
  });
}

/**
 * The block that shows the first secret key, once. In a terminal it is framed and bold, so it is
 * not lost among the log lines around it.
 */
export function firstKeyBlock(key: string, terminal: boolean): string {
  const lines = [
    'Created the first secret API key. It is shown only now: copy it and store it safely.',
    '',
    `    ${terminal ? `\u001b[1m${key}\u001b[22m` : key}`,
    '',
    `Send it as: Authorization: Bearer ${key.slice(0, 7)}…`,
    'Create more with `npx vouch keys create`.',
  ];
  const rule = '='.repeat(78);
  return `\n${rule}\n${lines.map((line) => (line ? `  ${line}` : '')).join('\n')}\n${rule}\n\n`;
}
