import { Command } from 'commander';
import { InputError } from '../domain/errors.ts';

/** Placeholder until the backtest command lands: says so and exits 1. */
export function backtestCommand(): Command {
  return new Command('backtest')
    .description('backtest (not built yet)')
    .allowUnknownOption()
    .action(() => {
      throw new InputError('headroom backtest is not built yet');
    });
}
