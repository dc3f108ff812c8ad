/**
 * Exit codes of every drover command (README "Exit codes"): 0 success or in sync, 1 the command failed,
 * 2 drift found or left (a dry run, hosts held), 3 hosts failed (some or all; the others went on).
 */
export const ExitCode = {
  ok: 0,
  error: 1,
  drift: 2,
  partial: 3,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];
