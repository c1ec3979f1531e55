/**
 * Delivery of a rotating key into a Baseten secret: the program names the secret; state holds
 * the secret's identity (never a value). Models and chains read secrets by name, so the key's
 * plaintext goes from the mint's answer straight into the secret and nowhere else.
 */
import type { StoredSecret } from "../../core/secrets/types";

/** `deliverTo` as `check` stores it. */
export interface DeliverTo {
  /** The secret's name (Baseten treats names equal after non-alphanumerics become `_` as one). */
  secretName: string;
  /** The secret's team by id; neither team field means the organization default team. */
  teamId?: string;
  /** The secret's team by exact name. */
  teamName?: string;
  /** Take over an existing secret of an equivalent name, overwriting its value with each new key. */
  adoptExisting?: boolean;
}

/** The secret a rotating key wrote and owns, as stored (its id is what makes it ours, not its name). */
export type Delivery = StoredSecret;

/**
 * A write of unknown outcome into a name no secret held: if a secret of that name now exists
 * and Baseten dates it after the listing made before the write, that write created it, and it is
 * this resource's (the next `up` writes into it, destroy deletes it). Kept on the key written.
 */
export interface PendingWrite {
  name: string;
  teamId: string;
  teamName: string;
  /** When the last listing that did not show the name was made (ISO). */
  listedAt: string;
}
