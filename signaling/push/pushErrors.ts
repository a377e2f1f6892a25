import { InvalidRequestError } from '../errors/DomainError';

/** A push endpoint must be https (browsers' push services all are); http only with PUSH_ALLOW_HTTP=1. */
export class InsecurePushEndpointError extends InvalidRequestError {
  constructor() {
    super('endpoint: an https URL (the browser\'s push service)');
  }
}
