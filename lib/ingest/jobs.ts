import { registerSweeper } from "@/lib/jobs/registry";
import { failInterruptedImports } from "./run-import";

// An import whose process died is failed by the next sweep of any instance (at start, then every 30 s).
registerSweeper("imports", failInterruptedImports);
