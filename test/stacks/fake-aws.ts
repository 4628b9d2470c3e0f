import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The AWS endpoints a deployed function reaches besides DynamoDB, over real HTTP with the
 * wire protocols the SDK speaks: EventBridge Scheduler (REST-JSON: schedules by group and
 * name, ConflictException on a second create, ResourceNotFoundException on a missing one)
 * and EventBridge PutEvents (JSON 1.1). Every other call is refused with AccessDenied, in the
 * protocol of the caller, as IAM would refuse a call the policy does not grant.
 */
export interface FakeSchedule {
  Name: string;
  GroupName: string;
  ScheduleExpression: string;
  Target: { Arn: string; RoleArn: string; Input?: string };
  [key: string]: unknown;
}

export interface PutEntry {
  EventBusName?: string;
  Source?: string;
  DetailType?: string;
  Detail?: string;
}

export interface FakeAws {
  url: string;
  schedules: Map<string, FakeSchedule>;
  events: PutEntry[];
  /** Calls refused as not granted, `METHOD path (target)`. */
  refused: string[];
  close(): Promise<void>;
}

async function body(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function jsonError(res: ServerResponse, status: number, type: string, message: string): void {
  res.writeHead(status, { 'content-type': 'application/json', 'x-amzn-errortype': type });
  res.end(JSON.stringify({ __type: type, message, Message: message }));
}

function send(res: ServerResponse, status: number, payload: unknown, type = 'application/json'): void {
  res.writeHead(status, { 'content-type': type });
  res.end(JSON.stringify(payload));
}

export async function startFakeAws(region: string, account: string): Promise<FakeAws> {
  const schedules = new Map<string, FakeSchedule>();
  const events: PutEntry[] = [];
  const refused: string[] = [];
  const server: Server = createServer(async (req, res) => {
    const text = await body(req);
    const url = new URL(req.url ?? '/', 'http://fake');
    const target = String(req.headers['x-amz-target'] ?? '');
    const schedule = /^\/schedules\/([^/]+)$/.exec(url.pathname);
    if (schedule) {
      const name = decodeURIComponent(schedule[1]!);
      const input = text ? (JSON.parse(text) as Partial<FakeSchedule>) : {};
      const group = input.GroupName ?? url.searchParams.get('groupName') ?? 'default';
      const key = `${group}/${name}`;
      const arn = `arn:aws:scheduler:${region}:${account}:schedule/${key}`;
      if (req.method === 'POST') {
        if (schedules.has(key))
          return jsonError(res, 409, 'ConflictException', `Schedule ${name} already exists.`);
        schedules.set(key, { ...(input as FakeSchedule), Name: name, GroupName: group });
        return send(res, 200, { ScheduleArn: arn });
      }
      if (!schedules.has(key))
        return jsonError(res, 404, 'ResourceNotFoundException', `Schedule ${name} does not exist.`);
      if (req.method === 'PUT') {
        schedules.set(key, { ...(input as FakeSchedule), Name: name, GroupName: group });
        return send(res, 200, { ScheduleArn: arn });
      }
      if (req.method === 'DELETE') {
        schedules.delete(key);
        return send(res, 200, {});
      }
    }
    if (target === 'AWSEvents.PutEvents') {
      const entries = (JSON.parse(text) as { Entries: PutEntry[] }).Entries;
      events.push(...entries);
      return send(
        res,
        200,
        { FailedEntryCount: 0, Entries: entries.map(() => ({ EventId: randomUUID() })) },
        'application/x-amz-json-1.1',
      );
    }
    const action = new URLSearchParams(text).get('Action');
    refused.push(`${req.method} ${url.pathname}${target ? ` (${target})` : action ? ` (${action})` : ''}`);
    if (String(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) {
      // Query protocol (STS, RDS, ElastiCache): an XML error document.
      res.writeHead(403, { 'content-type': 'text/xml' });
      res.end(
        `<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>not granted in this test</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`,
      );
      return;
    }
    jsonError(res, 403, 'AccessDeniedException', 'not granted in this test');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    schedules,
    events,
    refused,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
