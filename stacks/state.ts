import { LINK, type PhysicalNames } from './settings.ts';

/**
 * The brain's memory: one DynamoDB table (pk/sk strings, on demand) whose items expire through
 * TTL on `expiresAt` (leases, idempotency keys, old audit days). Point-in-time recovery keeps
 * the audit log and the campaign calendar recoverable; production tables refuse deletion.
 */
export function stateTable(names: PhysicalNames) {
  const table = new sst.aws.Dynamo('State', {
    fields: { pk: 'string', sk: 'string' },
    primaryIndex: { hashKey: 'pk', rangeKey: 'sk' },
    ttl: 'expiresAt',
    deletionProtection: $app.stage === 'prod',
    transform: { table: { name: names.stateTable, pointInTimeRecovery: { enabled: true } } },
  });
  // The link carries the name only; the functions' permissions come from shared/iam, not from
  // SST's link defaults (which would grant dynamodb:* on the table).
  const link = new sst.Linkable(LINK.StateTable, { properties: { name: table.name, arn: table.arn } });
  return { table, link };
}
