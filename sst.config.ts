/// <reference path="./.sst/platform/config.d.ts" />

import type { FunctionKey } from './stacks/settings.ts';

/**
 * Headroom on AWS: `npx sst deploy --stage prod` (docs/operations.md). One file per concern
 * in stacks/, imported from run(). The configuration is read and validated first, and the
 * IAM policy derived from it, so a bad config stops the deploy before anything changes.
 */
export default $config({
  app(input) {
    const prod = input?.stage === 'prod';
    return {
      name: 'headroom',
      home: 'aws',
      // Production keeps its state table and refuses `sst remove` until unprotected.
      removal: prod ? 'retain' : 'remove',
      protect: prod,
      providers: {
        aws: { version: '7.20.0', defaultTags: { tags: { app: 'headroom', stage: input?.stage ?? 'dev' } } },
      },
    };
  },
  async run() {
    const { loadDeployConfig } = await import('./stacks/config.ts');
    const settings = await import('./stacks/settings.ts');
    const { secrets } = await import('./stacks/secrets.ts');
    const { stateTable } = await import('./stacks/state.ts');
    const { eventBus, subscribeRequests } = await import('./stacks/bus.ts');
    const { operations, brainAlarms } = await import('./stacks/monitoring.ts');
    const { campaignScheduling, capacityReviewTick, reconcileTick } = await import('./stacks/scheduler.ts');
    const { functionsRole, brainFunctions } = await import('./stacks/functions.ts');
    const { attachPolicies } = await import('./stacks/iam.ts');
    const { httpApi } = await import('./stacks/api.ts');
    const { alarmDelivery } = await import('./stacks/events.ts');

    const { config, bundle } = loadDeployConfig();
    const [identity, partition, region] = await Promise.all([
      aws.getCallerIdentity({}),
      aws.getPartition({}),
      aws.getRegion({}),
    ]);
    const scope = { partition: partition.partition, account: identity.accountId, region: region.region };
    const names = settings.physicalNames($app.name, $app.stage);
    const slack = settings.slackUse(config);
    const deploy: FunctionKey[] = ['alarm', 'alertmanager', 'schedule', 'bus', 'operator'];
    if (slack.routes) deploy.push('slack');

    const role = functionsRole(names);
    const assumedRoles = attachPolicies(
      config,
      settings.deploymentOf(names, scope, deploy),
      role,
      names.base,
    );
    const secret = secrets(config);
    const state = stateTable(names);
    const bus = eventBus(names);
    const ops = operations(names, scope);
    const scheduling = campaignScheduling(names, scope, ops.deadLetters);
    const fns = brainFunctions({
      names,
      role,
      configFile: bundle,
      deploy,
      links: [
        state.link,
        bus.link,
        ...scheduling.links,
        ...(secret.slackBotToken ? [secret.slackBotToken] : []),
      ],
      linksOf: {
        alertmanager: [secret.webhookToken, secret.dashboardToken],
        slack: secret.slackSigningSecret ? [secret.slackSigningSecret] : [],
      },
      deadLetters: ops.deadLetters,
    });
    reconcileTick(fns.schedule!, config.defaults.reconcileIntervalSeconds, ops.deadLetters);
    capacityReviewTick(fns.schedule!, config, ops.deadLetters);
    subscribeRequests(bus.bus, fns.bus!, ops.deadLetters);
    const alarms = alarmDelivery(
      config,
      settings.alarmDelivery(process.env),
      scope,
      fns.alarm!,
      ops.deadLetters,
    );
    const api = httpApi(fns);
    brainAlarms({
      names,
      functions: fns,
      api,
      deadLetters: ops.deadLetters,
      alerts: ops.alerts,
      reconcileIntervalSeconds: config.defaults.reconcileIntervalSeconds,
    });

    return {
      // `headroom ... --stage NAME` reads these (.sst/outputs.json): the stage they belong to too.
      stage: $app.stage,
      api: api.url,
      alertmanagerUrl: $interpolate`${api.url}/alertmanager`,
      dashboardUrl: $interpolate`${api.url}/`,
      ...(slack.routes
        ? {
            slackCommandsUrl: $interpolate`${api.url}/slack/commands`,
            slackInteractionsUrl: $interpolate`${api.url}/slack/interactions`,
          }
        : {}),
      functionsRoleArn: role.arn,
      busName: bus.bus.name,
      busArn: bus.bus.arn,
      alarmTopicArn: alarms?.topic?.arn ?? 'none: alarms arrive through EventBridge (or no rule watches one)',
      alertsTopicArn: ops.alerts.arn,
      deadLetterQueueUrl: ops.deadLetters.url,
      stateTable: state.table.name,
      assumedRolePolicies: JSON.stringify(assumedRoles),
    };
  },
});
