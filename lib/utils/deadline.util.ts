/** A timer as a promise: `expired` resolves after `ms` unless cancelled first. Never keeps the process alive. */
export interface Deadline {
  readonly expired: Promise<void>;
  cancel(): void;
}

export function deadline(ms: number): Deadline {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
    timer.unref();
  });
  return { expired, cancel: () => clearTimeout(timer) };
}
