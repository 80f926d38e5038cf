import { TributaryError } from "@tributary/core/errors";

/** Why a training job failed: a stable code, what happened, and what to do (shown by the API and the CLI). */
export class TrainingJobError extends TributaryError {
  override name = "TrainingJobError";
  constructor(code: string, message: string, hint: string, options: { cause?: unknown } = {}) {
    super(message, { code, hint, ...(options.cause === undefined ? {} : { cause: options.cause }) });
  }
}
