import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  ConflictException,
  CreateScheduleCommand,
  DeleteScheduleCommand,
  ResourceNotFoundException,
  UpdateScheduleCommand,
} from '@aws-sdk/client-scheduler';
import type { SchedulerSender } from '../../shared/adapters/scheduler/eventbridge-scheduler.ts';

/** A local server speaking enough of the Slack Web API for `chat.postMessage`. */
export async function fakeSlackApi() {
  const posts: { token?: string; channel: string; text: string; blocks: any[] }[] = [];
  let failNext = 0;
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      res.setHeader('content-type', 'application/json');
      if (!req.url?.endsWith('/chat.postMessage'))
        return res.end(JSON.stringify({ ok: false, error: 'unknown_method' }));
      if (failNext > 0) {
        failNext--;
        return res.end(JSON.stringify({ ok: false, error: 'channel_not_found' }));
      }
      const isJson = (req.headers['content-type'] ?? '').includes('json');
      const f: Record<string, any> = isJson
        ? JSON.parse(body)
        : Object.fromEntries(new URLSearchParams(body));
      const blocks = typeof f.blocks === 'string' ? JSON.parse(f.blocks) : (f.blocks ?? []);
      posts.push({ token: req.headers.authorization, channel: f.channel, text: f.text, blocks });
      res.end(JSON.stringify({ ok: true, channel: f.channel, ts: `${posts.length}.000100` }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/api/`,
    posts,
    failNext: (n = 1) => {
      failNext = n;
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/** EventBridge Scheduler as a map of schedules, with its conflict and not-found errors. */
export class FakeScheduler implements SchedulerSender {
  readonly schedules = new Map<
    string,
    { expression: string; input: any; group: string; afterCompletion?: string; target: string; role: string }
  >();
  readonly calls: string[] = [];
  async send(
    command: CreateScheduleCommand | UpdateScheduleCommand | DeleteScheduleCommand,
  ): Promise<unknown> {
    const i = command.input as any;
    const key = `${i.GroupName}/${i.Name}`;
    this.calls.push(`${command.constructor.name} ${key}`);
    if (command instanceof DeleteScheduleCommand) {
      if (!this.schedules.delete(key))
        throw new ResourceNotFoundException({
          message: `Schedule ${i.Name} does not exist.`,
          $metadata: {},
        } as never);
      return {};
    }
    if (command instanceof CreateScheduleCommand && this.schedules.has(key))
      throw new ConflictException({ message: `Schedule ${i.Name} already exists.`, $metadata: {} } as never);
    if (command instanceof UpdateScheduleCommand && !this.schedules.has(key))
      throw new ResourceNotFoundException({
        message: `Schedule ${i.Name} does not exist.`,
        $metadata: {},
      } as never);
    this.schedules.set(key, {
      expression: i.ScheduleExpression,
      input: JSON.parse(i.Target.Input),
      group: i.GroupName,
      afterCompletion: i.ActionAfterCompletion,
      target: i.Target.Arn,
      role: i.Target.RoleArn,
    });
    return { ScheduleArn: `arn:aws:scheduler:eu-central-1:123456789012:schedule/${key}` };
  }
}
