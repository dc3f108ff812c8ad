/**
 * The observed side of drover: what one probe found on a host. Produced by observeHost();
 * consumed by plan. Plain JSON-serialisable data (no undefined inside arrays, no Dates, no Buffers).
 * Strings that came from the host as bytes which are not valid UTF-8 carry each invalid byte as
 * the four characters `\xNN` (such a value never equals a manifest value, which is UTF-8 text).
 * Secret values never appear in any fact.
 */

import type { UndoneRun } from './undone.js';

/** Platform family as drover groups distributions. */
export type PlatformFamily = 'debian' | 'rhel' | 'alpine' | 'unknown';
/** The package manager drover drives on the host. */
export type PackageManager = 'apt' | 'dnf' | 'yum' | 'apk' | 'unknown';

/** What the host is, from /etc/os-release and the tools found on PATH. */
export interface PlatformFact {
  /** os-release ID, e.g. `debian`, `rocky`, `alpine`; `unknown` without os-release. */
  id: string;
  family: PlatformFamily;
  /** os-release VERSION_ID, e.g. `12`, `9.3`, `3.19.1`; `` when absent. */
  version: string;
  packageManager: PackageManager;
  /** `systemd` when systemd is PID 1 (/run/systemd/system exists). */
  initSystem: 'systemd' | 'other';
}

/** What is at a path, from lstat (symlinks are not followed). */
export type PathType = 'file' | 'directory' | 'symlink' | 'other' | 'absent';

/** lstat of a path; every field but `exists`/`type` is absent when nothing is there. */
export interface PathFact {
  exists: boolean;
  type: PathType;
  /** Permission bits as four octal digits, e.g. `0644`, `4755`. */
  mode?: string;
  /** Owner and group names (`UNKNOWN` when the id has no name) and numeric ids. */
  owner?: string;
  group?: string;
  uid?: number;
  gid?: number;
  size?: number;
}

/** A package: installed (dpkg state `installed`, rpm/apk present) and its version. */
export interface PackageFact {
  kind: 'package';
  installed: boolean;
  /** Installed version as the manager prints it (dpkg `Version`, rpm `[EPOCH:]VERSION-RELEASE`, apk `VER-rN`). */
  version?: string;
}

/** A managed file: lstat of its path plus the content hash of a regular file. */
export interface FileFact extends PathFact {
  kind: 'file';
  /**
   * sha256 (hex) of a regular file's bytes. For a file whose desired content holds secret placeholders,
   * the hash of the file after each secret value (read on the host) was replaced by its
   * `{{drover-secret:NAME}}` placeholder, so it compares with the desired content's sha256.
   */
  sha256?: string;
  /** True when `sha256` was computed with secret values replaced by their placeholders. */
  secretsMasked?: boolean;
  /** True when the file is absent and so is its parent directory (apply creates it, as `mkdir -p`). */
  parentMissing?: boolean;
}

/** One entry directly in a directory: its name (no slash) and lstat type. */
export interface DirEntry {
  name: string;
  type: 'file' | 'symlink' | 'directory' | 'other';
}

/** A managed directory: lstat of its path. */
export interface DirectoryFact extends PathFact {
  kind: 'directory';
  /** Only for `recursive: true` with mode/owner/group declared: some entry below differs. */
  recursiveDrift?: boolean;
  /** Only for `purge` (true or report) on an existing directory: its entries, sorted by name. */
  entries?: DirEntry[];
}

/** A managed symlink: lstat of its path and the stored target. */
export interface SymlinkFact extends PathFact {
  kind: 'symlink';
  /** The link's target as stored (readlink), when `type` is `symlink`. */
  target?: string;
}

/** A line in an unmanaged file. */
export interface LineFact {
  kind: 'line';
  fileExists: boolean;
  /** The declared `line` occurs as a whole line at least once (false when no `line` is declared). */
  present: boolean;
  /** Lines matching the declared `regexp` (host awk ERE); 0 when no regexp is declared. */
  matches: number;
  /** Lines equal to `line`. */
  lineCount: number;
  /** The host's awk rejected the regexp. */
  regexpError?: boolean;
}

/** A local account from the name service. */
export interface UserFact {
  kind: 'user';
  exists: boolean;
  uid?: number;
  gid?: number;
  /** GECOS field. */
  comment?: string;
  home?: string;
  shell?: string;
  /** Name of the primary group. */
  primaryGroup?: string;
  /** Supplementary group names (without the primary group), in the order `id -Gn` lists them. */
  groups: string[];
}

/** A group from the name service. */
export interface GroupFact {
  kind: 'group';
  exists: boolean;
  gid?: number;
  /** Explicit members from the group database. */
  members: string[];
}

/** Service managers drover knows. */
export type ServiceManager = 'systemd' | 'supervisor' | 'runit';

/** A service as its manager reports it. */
export interface ServiceFact {
  kind: 'service';
  manager: ServiceManager;
  /** The manager knows the service (systemd unit loaded/found, supervisor program, runit service dir). */
  known: boolean;
  /** Starts at boot: systemd UnitFileState enabled/enabled-runtime/alias/generated; supervisor: configured; runit: linked into the service dir. */
  enabled: boolean;
  active: boolean;
  /** False when the state could not be read live (systemd not running: only the unit file state is known). */
  live: boolean;
  /** Raw states as the manager reports them: systemd UnitFileState / ActiveState; supervisor / runit status word. */
  unitFileState?: string;
  activeState?: string;
}

/** Guard results of a command resource, evaluated by the probe. */
export interface CommandFact {
  kind: 'command';
  /** `creates` path exists (only when `creates` is declared). */
  createsExists?: boolean;
  /** `unless` exited 0 (only when declared). */
  unlessOk?: boolean;
  /** `onlyIf` exited 0 (only when declared). */
  onlyIfOk?: boolean;
  /** Exit statuses of the guards (124 when the guard was killed by its time cap). */
  unlessStatus?: number;
  onlyIfStatus?: number;
}

/** A git checkout at a path. */
export interface GitFact {
  kind: 'git';
  /** Something exists at the path. */
  exists: boolean;
  /** The path is the top of a git work tree (has `.git`). */
  isRepo: boolean;
  /** Commit checked out; absent in a repository without commits. */
  head?: string;
  /** Current branch, absent on a detached HEAD. */
  branch?: string;
  /** remote.origin.url with URL credentials replaced by `***` (see scrubSecrets). */
  remoteUrl?: string;
  /** Tracked files differ from HEAD. */
  dirty: boolean;
  /** The commit the desired ref resolves to on the remote, from `git ls-remote` on the host; absent when it could not be resolved. */
  remoteHead?: string;
  /** `git` was not found on the host. */
  gitMissing?: boolean;
}

/** A secret file: existence and attributes only, never its content. */
export interface SecretFact {
  kind: 'secret';
  exists: boolean;
  path: string;
  mode?: string;
  owner?: string;
  group?: string;
  /** For a secret the repository keeps: whether the host's value is the repository's (compared by salted hash on the host). */
  matchesRepository?: boolean;
}

/** An ssh key pair generated on the host. */
export interface SshKeyFact {
  kind: 'ssh_key';
  /** The private key file exists. */
  exists: boolean;
  /** Content of `<path>.pub` without its trailing newline (public, may be shown). */
  publicKey?: string;
  /** Key type from the public key, e.g. `ed25519`, `rsa`, `ecdsa-sha2-nistp256`. */
  type?: string;
  mode?: string;
  owner?: string;
}

/** The cron file drover manages for a cron resource. */
export interface CronFact {
  kind: 'cron';
  /** /etc/cron.d/drover-<name> exists. */
  exists: boolean;
  path: string;
  sha256?: string;
  mode?: string;
  owner?: string;
}

/** A kernel parameter: live value and persisted file. */
export interface SysctlFact {
  kind: 'sysctl';
  /** The key exists under /proc/sys. */
  exists: boolean;
  /** Current value as the kernel prints it, without the trailing newline (fields may be tab-separated). */
  value?: string;
  persistPath: string;
  /** sha256 of /etc/sysctl.d/99-drover-<key>.conf, absent when that file does not exist. */
  persisted?: string;
}

/** One observed fact per declared resource; `kind` matches the resource's kind. */
export type Fact =
  | PackageFact | FileFact | DirectoryFact | SymlinkFact | LineFact | UserFact | GroupFact
  | ServiceFact | CommandFact | GitFact | SecretFact | SshKeyFact | CronFact | SysctlFact;

/** What a host's boot looks like (facts/boot.ts), for the reboot decision. */
export interface BootFact {
  /** The current boot's id (/proc/sys/kernel/random/boot_id); empty when unreadable. */
  bootId: string;
  /** The running kernel's release (`uname -r`). */
  runningKernel: string;
  /** Releases of the kernels installed (/lib/modules, /boot/vmlinuz-*), sorted, without duplicates. */
  installedKernels: string[];
  /** Debian's /var/run/reboot-required exists. */
  debianMarker: boolean;
  /** The packages /var/run/reboot-required.pkgs names. */
  debianPackages: string[];
  /** Resources with `reboot: true` that a run changed during this boot (drover's marker). */
  changedResources: string[];
}

/** What one observation found on a host. */
export interface ObservedState {
  /** Inventory name of the host. */
  host: string;
  platform: PlatformFact;
  /** One entry per DesiredResource id of the observed DesiredState. */
  resources: Record<string, Fact>;
  /** When the probe finished (ISO 8601). */
  observedAt: string;
  /** Handler ids (service or command) notified by an earlier run that failed before running them; absent when none. */
  pending?: string[];
  /** Ids drover recorded as managed on the host after its last successful apply; absent when never recorded. */
  inventory?: string[];
  /** The lockout guard's record of the last run it undid for want of confirmation; absent when none (facts/undone.ts). */
  undone?: UndoneRun;
  /** Boot facts (facts/boot.ts); absent from probes without drover's own state (partial ones). */
  boot?: BootFact;
}
