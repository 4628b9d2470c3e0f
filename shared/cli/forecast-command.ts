import { Command } from 'commander';
import { InputError } from '../domain/errors.ts';

/** Placeholder until the forecast command lands: says so and exits 1. */
export function forecastCommand(): Command {
  return new Command('forecast')
    .description('forecast (not built yet)')
    .allowUnknownOption()
    .action(() => {
      throw new InputError('headroom forecast is not built yet');
    });
}
