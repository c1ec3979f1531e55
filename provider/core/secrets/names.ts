/** What certainly is not a Baseten secret name, checked before anything is sent (Baseten states no alphabet). */

/** Longest name accepted: Baseten documents none; 255 is the usual column size (a guess). */
export const MAX_SECRET_NAME_LENGTH = 255;

/** Why `name` is certainly not a Baseten secret name, or undefined. */
export function secretNameProblem(name: string): string | undefined {
  if (name.length === 0) return "must not be empty; omit `name` to have one generated";
  if (name.length > MAX_SECRET_NAME_LENGTH)
    return `is ${name.length} characters long; at most ${MAX_SECRET_NAME_LENGTH} are allowed`;
  if (name.includes("/")) return "must not contain '/': the name is one segment of Baseten's URL path";
  if (/[\u0000-\u001f\u007f]/.test(name)) return "must not contain control characters (newlines, tabs, ...)";
  return undefined;
}
