// One memory cap for a run and its worker_threads Workers together. Each is a
// guest instance with its own linear memory, and they all run on this one
// thread, one at a time: before an instance runs, its store may grow to what it
// holds plus what the others leave of the cap. So the sum never passes the cap
// (allocation then fails in the guest as at its own limit: an out-of-memory
// error), and nothing is done while the run has no worker. Workers leave an
// eighth of the cap to the main thread, so that it can still grow when they
// have taken the rest (to report what they did, or to end them).

/** An instance counted against the budget. */
export interface BudgetMember {
  /** Bytes of linear memory it holds now. */
  size(): number;
  /** A worker's instance (the main thread's is not). */
  readonly worker: boolean;
  /** How far its linear memory may grow. */
  setMax(bytes: number): void;
}

export class MemoryBudget {
  private readonly members = new Set<BudgetMember>();
  /** The member whose limit was set last: it stays right while no other runs. */
  private current: BudgetMember | undefined;

  /** `max`: bytes of linear memory for the run, its workers' included. */
  constructor(readonly max: number) {}

  /** Bytes the members hold together. */
  private held(): number {
    let sum = 0;
    for (const m of this.members) sum += m.size();
    return sum;
  }

  /** What `m` may hold together with the others: the cap, less the main thread's reserve for a worker. */
  private capFor(m: BudgetMember): number {
    return m.worker ? this.max - Math.floor(this.max / 8) : this.max;
  }

  /** An instance made: false (and not counted) when it would pass the cap. */
  join(m: BudgetMember): boolean {
    if (this.members.size > 0 && this.held() + m.size() > this.capFor(m)) return false;
    this.members.add(m);
    this.current = undefined;
    return true;
  }

  leave(m: BudgetMember): void {
    if (!this.members.delete(m)) return;
    this.current = undefined;
    // the last one left has the whole cap again
    if (this.members.size === 1) for (const last of this.members) last.setMax(this.max);
  }

  /** `m` runs next: it may grow by what the others leave. */
  enter(m: BudgetMember): void {
    if (this.members.size < 2 || this.current === m || !this.members.has(m)) return;
    this.current = m;
    m.setMax(m.size() + Math.max(0, this.capFor(m) - this.held()));
  }
}
