import { Command, CommanderError } from 'commander';
import { ConfigError, InputError } from '../domain/errors.ts';
import { approveCommand, rejectCommand } from './approve-command.ts';
import { auditCommand } from './audit-command.ts';
import { backtestCommand } from './backtest-command.ts';
import { campaignCommand } from './campaign-command.ts';
import { capacityCommand } from './capacity-command.ts';
import { ceilingCommand } from './ceiling-command.ts';
import { devCommand } from './dev-command.ts';
import { forecastCommand } from './forecast-command.ts';
import { planCommand } from './plan-command.ts';
import { rbacCommand } from './rbac-command.ts';
import { rehearseCommand } from './rehearse-command.ts';
import { releaseCommand } from './release-command.ts';
import { statusCommand } from './status-command.ts';
import { tuneCommand } from './tune-command.ts';
import { validateCommand } from './validate-command.ts';

export function buildProgram(): Command {
  const program = new Command('headroom')
    .description(
      'Serverless autoscaling brain: campaign pre-scaling, alarm remediation and Slack scaling for AWS',
    )
    .exitOverride()
    .showHelpAfterError();
  for (const command of [
    validateCommand(),
    planCommand(),
    statusCommand(),
    devCommand(),
    campaignCommand(),
    releaseCommand(),
    ceilingCommand(),
    approveCommand(),
    rejectCommand(),
    auditCommand(),
    forecastCommand(),
    rehearseCommand(),
    backtestCommand(),
    tuneCommand(),
    capacityCommand(),
    rbacCommand(),
  ])
    program.addCommand(command);
  // addCommand does not pass settings down: every (sub)command must throw instead of exiting,
  // so usage errors map to exit 2.
  const override = (c: Command): void => {
    c.exitOverride().showHelpAfterError();
    for (const sub of c.commands) override(sub);
  };
  override(program);
  return program;
}

/** Runs the CLI; exit codes per CONTRACTS.md: 0 ok, 1 invalid input or failed check, 2 usage. */
export async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      process.exitCode = err.exitCode === 0 ? 0 : 2;
      return;
    }
    if (err instanceof ConfigError) {
      for (const p of err.problems) console.error(p);
      process.exitCode = 1;
      return;
    }
    if (err instanceof InputError) {
      console.error(`error: ${err.message}`);
      process.exitCode = 1;
      return;
    }
    throw err;
  }
}
