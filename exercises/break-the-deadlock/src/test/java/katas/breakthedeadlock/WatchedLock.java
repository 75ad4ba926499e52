package katas.breakthedeadlock;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * An account's lock as the tests build it: a plain {@link ReentrantLock} that also knows which
 * account it guards, which thread holds it, where that thread took it, and during which transfer.
 * So when transfers deadlock, a test can say "Ada at desk 1 holds account Bo's lock and waits for
 * account Bo's" instead of printing lock hash codes.
 *
 * <p>Every attempt, acquisition and release is reported to the {@link BankFloor} the lock belongs
 * to. The floor may pause a teller right after it took its first lock, make the tellers' first
 * locks meet (a staged collision), and check the books whenever a transfer lets go of an account.
 *
 * <p>{@link #lock()} keeps its promise (it does not give up when the thread is interrupted, and it
 * leaves the interrupt status as it was), but it waits in a way the floor can end: when a run has
 * failed, a teller stuck here is stopped instead of staying stuck for ever.
 */
final class WatchedLock extends ReentrantLock {

    private final BankFloor floor;
    private final AtomicLong acquisitions = new AtomicLong();
    private volatile Account account;
    private volatile String takenAt = "";
    private volatile BankFloor.Transfer takenDuring;
    private volatile long stamp;

    WatchedLock(BankFloor floor) {
        this.floor = floor;
    }

    /** Called once, when the account this lock guards exists. */
    void guards(Account account) {
        this.account = account;
    }

    @Override
    public void lock() {
        if (floor.isReadingForTheTest()) {
            super.lock();
            return;
        }
        floor.attempting(this, false);
        boolean interrupted = Thread.interrupted();
        try {
            while (true) {
                try {
                    super.lockInterruptibly();
                    break;
                } catch (InterruptedException e) {
                    if (floor.isStopped()) {
                        throw new BankFloor.TellerStopped();
                    }
                    interrupted = true; // lock() does not give up: wait on, and say so afterwards
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        acquired();
    }

    @Override
    public void lockInterruptibly() throws InterruptedException {
        floor.attempting(this, false);
        try {
            super.lockInterruptibly();
        } catch (InterruptedException e) {
            if (floor.isStopped()) {
                throw new BankFloor.TellerStopped();
            }
            throw e;
        }
        acquired();
    }

    @Override
    public boolean tryLock() {
        floor.attempting(this, true);
        if (super.tryLock()) {
            acquired();
            return true;
        }
        floor.missed(this);
        return false;
    }

    @Override
    public boolean tryLock(long time, TimeUnit unit) throws InterruptedException {
        floor.attempting(this, true);
        boolean got;
        try {
            got = super.tryLock(time, unit);
        } catch (InterruptedException e) {
            if (floor.isStopped()) {
                throw new BankFloor.TellerStopped();
            }
            throw e;
        }
        if (got) {
            acquired();
            return true;
        }
        floor.missed(this);
        return false;
    }

    @Override
    public void unlock() {
        if (getHoldCount() == 1 && !floor.isReadingForTheTest()) {
            floor.releasing(this);
        }
        super.unlock();
    }

    private void acquired() {
        boolean first = getHoldCount() == 1;
        boolean forABalanceRead = false;
        if (first) {
            stamp = acquisitions.incrementAndGet();
            StackWalker.StackFrame caller = BankFloor.caller();
            forABalanceRead = caller != null && caller.getClassName().equals(Account.class.getName())
                    && caller.getMethodName().equals("balance");
            takenAt = BankFloor.where(caller);
            takenDuring = floor.currentTransfer();
        }
        floor.acquired(this, first, forABalanceRead);
    }

    /** The account this lock guards. */
    Account account() {
        return account;
    }

    /** "account Ada's lock". */
    String describe() {
        return floor.nameOf(account) + "'s lock";
    }

    /** The thread holding this lock now, or null. */
    Thread owner() {
        return getOwner();
    }

    /** Whether {@code thread} holds this lock now. */
    boolean isHeldByThread(Thread thread) {
        return getOwner() == thread;
    }

    /** Which acquisition the current hold is: it changes every time the lock is taken anew. */
    long stamp() {
        return stamp;
    }

    /** Where the current owner took this lock, e.g. "Bank.transfer(Bank.java:31)". */
    String takenAt() {
        return takenAt;
    }

    /** The transfer during which the current owner took this lock, or null. */
    BankFloor.Transfer takenDuring() {
        return takenDuring;
    }

    @Override
    public String toString() {
        return describe();
    }
}
