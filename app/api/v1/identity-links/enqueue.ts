import { IDENTITY_LINK } from "@/lib/connectors/jobs";
import { currentEngine, enqueueJob } from "@/lib/jobs";

/** Queues the linking job (one at a time) once a change has committed; false when this process runs no job engine. */
export async function queueLinking(): Promise<boolean> {
  if (!currentEngine()) return false;
  await enqueueJob(IDENTITY_LINK, {}, { singletonKey: IDENTITY_LINK });
  return true;
}
