import { Command, Option } from 'commander';
import type { StepResult } from '../executor/executor.ts';
import { loadConfigOption } from './options.ts';
import { type RemoteOptions, remoteFrom, withRemote } from './remote.ts';
import { openRuntime } from './runtime.ts';

function outcome(stepId: string, decision: 'approved' | 'rejected', results: StepResult[]): string {
  return [
    `step ${stepId} ${decision}`,
    ...results.map((r) => `${r.target}: step ${r.stepId} ${r.outcome}${r.message ? ` (${r.message})` : ''}`),
  ].join('\n');
}

/** `headroom approve|reject <step-id>`: decides a step waiting for approval, then reconciles. */
function decideCommand(verb: 'approve' | 'reject'): Command {
  const decision = verb === 'approve' ? 'approved' : 'rejected';
  return withRemote(new Command(verb))
    .description(`${verb} a step waiting for approval (status and plan show its id), then reconcile`)
    .argument('<step-id>', 'the step id')
    .option('--config <file>', 'configuration file')
    .option('--state <dir>', 'local state directory', '.headroom')
    .addOption(
      new Option('--cloud <cloud>', 'simulated cloud or real AWS').choices(['sim', 'aws']).default('sim'),
    )
    .action(
      async (
        stepId: string,
        opts: { config?: string; state: string; cloud: 'sim' | 'aws' } & RemoteOptions,
      ) => {
        const remote = remoteFrom(opts);
        if (remote) {
          const r = await remote.post<{ results: StepResult[] }>(`/api/${verb}`, { stepId });
          console.log(outcome(stepId, decision, r.results));
          return;
        }
        const config = loadConfigOption(opts.config);
        const rt = await openRuntime({ config, cloud: opts.cloud, stateDir: opts.state });
        try {
          const r = await rt.brain.decide(stepId, decision, process.env.USER || 'cli');
          console.log(outcome(stepId, decision, r.results));
        } finally {
          await rt.close();
        }
      },
    );
}

export const approveCommand = () => decideCommand('approve');
export const rejectCommand = () => decideCommand('reject');
