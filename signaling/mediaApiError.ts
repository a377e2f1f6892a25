import { MediaError } from '../media';
import { ApiError } from './http/ApiError';
import { ErrorCode } from './protocol/errors';

export const mediaUnavailable = (message: string) => new ApiError(503, ErrorCode.MediaUnavailable, message, true);

/** Errors of the media layer (mediasoup) as the API's errors; anything else passes through. */
export function mediaApiError(err: unknown): unknown {
  if (!(err instanceof MediaError)) return err;
  if (err.code === 'media_unavailable') return mediaUnavailable(err.message);
  if (err.code.endsWith('_not_found')) return new ApiError(404, ErrorCode.NotFound, err.message);
  if (err.code === 'invalid_input') return new ApiError(400, ErrorCode.InvalidInput, err.message);
  return new ApiError(500, ErrorCode.MediaUnavailable, err.message);
}
