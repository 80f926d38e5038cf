import type { TrainingService } from "../createTrainingService.ts";
import type { TrainingJobView } from "../schemas.ts";

/** Polls a job until `until` holds (default: a final state), or throws after `timeoutMs`. */
export async function waitForJob(
  service: TrainingService,
  id: string,
  until: (job: TrainingJobView) => boolean = (j) => ["done", "failed", "cancelled"].includes(j.state),
  timeoutMs = 180_000,
): Promise<TrainingJobView> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const job = await service.get(id);
    if (until(job)) return job;
    if (Date.now() > end)
      throw new Error(`job ${id} still ${job.state} (step ${job.progress.step}/${job.progress.steps})`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
