/** One host of a test fleet: a real sshd in its own namespaces over a copy-on-write view of `/`. */
export interface FleetHost {
  /** Host name, also the host's `hostname` and its alias in the fleet's ssh_config (`host1`...). */
  name: string;
  /** The host's own loopback address (`127.77.<slot>.<n>`); sshd listens there on `port`. */
  address: string;
  /** Always 22: sshd's port on `address`. */
  port: number;
  /** The same sshd also listens on 127.0.0.1 at this port (for `[127.0.0.1]:PORT` known_hosts entries). */
  localPort: number;
  /** The overlay upper dir: every file the host wrote, for inspection from the machine. */
  rootDir: string;
  systemd: boolean;
  /** PID (in the machine's namespace) of the host's PID 1 (sshd or systemd) when the fleet started; a reboot gives it another. */
  pid: number;
}

/** A running test fleet; `stop()` must be called (tests: in afterAll). */
export interface Fleet {
  name: string;
  hosts: FleetHost[];
  /** known_hosts with the fleet host key for every host (plain `127.77.s.n` and `[127.0.0.1]:PORT` entries). */
  knownHostsFile: string;
  /** Private ed25519 key authorized for root on every host. */
  clientKeyFile: string;
  /** The fleet's own dir (keys, configs, host dirs); removed by stop(). */
  dir: string;
  /** ssh_config with an entry per host name (HostName, Port, User root, IdentityFile, UserKnownHostsFile, StrictHostKeyChecking yes). */
  sshConfigFile: string;
  /**
   * While `hold` is true, a systemd host that reboots stays down after its PID 1 ends (nothing
   * answers on its address) until it is called again with false; then it boots as usual.
   */
  holdReboots(options: { host: string; hold: boolean }): void;
  /** Stops every host, waits until its processes and mounts are gone, removes `dir` and frees the slot. Idempotent. */
  stop(): Promise<void>;
}

/** Options of startFleet. */
export interface StartFleetOptions {
  /** Number of hosts, 1..254. */
  count: number;
  /** Run systemd as PID 1 of each host (the host's own ssh.service, written in its upper layer, starts sshd). Default false. */
  systemd?: boolean;
  /** Fleet name (letters, digits, `-`); default `fleet<slot>`. */
  name?: string;
  /** Indexes into `hosts` (0-based) of hosts that get a host key other than the one in known_hosts. */
  wrongHostKey?: number[];
  /** Seconds to wait for all hosts to answer; default 30 (plain) or 90 (systemd). */
  readyTimeoutSeconds?: number;
}
