import type { z } from 'zod';

export type Path = (string | number | symbol)[];

/** `['targets', 'db', 'tiers', 4]` -> `targets.db.tiers[4]` */
export function formatPath(path: Path): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += out ? `.${String(p)}` : String(p);
  }
  return out || '(root)';
}

/** Every problem of an input, each as `path: message`, reported together. */
export class Problems {
  readonly list: string[] = [];
  add(path: Path, message: string): void {
    this.list.push(`${formatPath(path)}: ${message}`);
  }
  addZod(prefix: Path, error: z.ZodError): void {
    for (const issue of error.issues) {
      let message = issue.message;
      if (issue.code === 'unrecognized_keys')
        message = `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
      this.add([...prefix, ...issue.path], message);
    }
  }
}
