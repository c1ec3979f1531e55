/**
 * The one checkpoint damage a killed `pulumi` leaves on a `file://` backend. The backend
 * (gocloud.dev/blob/fileblob, as Pulumi's diy backend uses it) writes each file to a temporary
 * file and renames it, so the state itself is always whole; but it rewrites the file's metadata
 * sidecar `<file>.attrs` in place (`os.Create` truncates it, then the JSON is written). A kill
 * between the two leaves that sidecar empty, and every later read of the file decodes the empty
 * sidecar first: `error: failed to load checkpoint: EOF`, from `stack export`, `cancel`,
 * `refresh` and `up` alike. An absent sidecar is read as "no metadata", and an empty one is never
 * valid JSON, so removing empty sidecars restores the backend with nothing lost.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

/** The folder of a `file://` backend URL (query removed, `~` expanded), or undefined for other backends. */
export function fileBackendDir(backendUrl: string): string | undefined {
  if (!backendUrl.startsWith("file://")) return undefined;
  let dir = decodeURIComponent(backendUrl.slice("file://".length).split("?")[0]);
  if (dir === "~" || dir.startsWith("~/")) dir = path.join(os.homedir(), dir.slice(1));
  return dir;
}

/** Removes every empty `*.attrs` file under `<backend>/.pulumi`; returns the paths removed. */
export function removeCutSidecars(backendDir: string): string[] {
  const removed: string[] = [];
  const walk = (dir: string) => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return; // no such folder: nothing of this backend to repair
    }
    for (const e of entries) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile() && e.name.endsWith(".attrs") && fs.statSync(p).size === 0) {
        fs.unlinkSync(p);
        removed.push(p);
      }
    }
  };
  walk(path.join(backendDir, ".pulumi"));
  return removed;
}
