import { HeadroomError } from '../../domain/errors.ts';

/**
 * A metric source could not answer: unreadable file, HTTP or API error, malformed response.
 * The message says which signal or file and what was wrong; credentials never appear in it.
 */
export class MetricSourceError extends HeadroomError {
  override name = 'MetricSourceError';
}
