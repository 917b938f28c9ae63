/** Whether a process with this pid exists (EPERM: it does, owned by another user). For lock and spool files left by dead processes. */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}
