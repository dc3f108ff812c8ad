/** Exit codes of every drover command (SPEC §5). */
export const ExitCode = {
  ok: 0,
  error: 1,
  drift: 2,
  partial: 3,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];
