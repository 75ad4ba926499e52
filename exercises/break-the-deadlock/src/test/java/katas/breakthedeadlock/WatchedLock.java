package katas.breakthedeadlock;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * An account's lock as the tests build it: a plain {@link ReentrantLock} that also knows which
 * account it guards, which thread holds it, where that thread took it, and during which transfer.
 * So when transfers deadlock, a test can say "teller-0 holds account A's lock and waits for
 * account B's" instead of printing lock hash codes.
 *
 * <p>Every attempt and every acquisition is reported to the {@link BankFloor} the lock belongs to,
 * which may pause a teller right after it took its first lock (that widens the window in which
 * transfers in opposite directions deadlock) or make the tellers' first locks meet.
 */
final class WatchedLock extends ReentrantLock {

    private final BankFloor floor;
    private final String account;
    private volatile String takenAt = "";
    private volatile BankFloor.Transfer takenDuring;

    WatchedLock(BankFloor floor, String account) {
        this.floor = floor;
        this.account = account;
    }

    @Override
    public void lock() {
        floor.attempting(this, false);
        super.lock();
        acquired();
    }

    @Override
    public void lockInterruptibly() throws InterruptedException {
        floor.attempting(this, false);
        super.lockInterruptibly();
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
        if (super.tryLock(time, unit)) {
            acquired();
            return true;
        }
        floor.missed(this);
        return false;
    }

    private void acquired() {
        boolean first = getHoldCount() == 1;
        boolean forABalanceRead = false;
        if (first) {
            StackWalker.StackFrame caller = BankFloor.caller();
            forABalanceRead = caller != null && caller.getClassName().equals(Account.class.getName())
                    && caller.getMethodName().equals("balance");
            takenAt = BankFloor.where(caller);
            takenDuring = floor.currentTransfer();
        }
        floor.acquired(this, first, forABalanceRead);
    }

    /** "account A's lock". */
    String describe() {
        return account + "'s lock";
    }

    /** The thread holding this lock now, or null. */
    Thread owner() {
        return getOwner();
    }

    /** Whether {@code thread} holds this lock now. */
    boolean isHeldByThread(Thread thread) {
        return getOwner() == thread;
    }

    /** Where the current owner took this lock, e.g. "Bank.transfer(Bank.java:31)". */
    String takenAt() {
        return takenAt;
    }

    /** The teller's transfer during which the current owner took this lock, or null. */
    BankFloor.Transfer takenDuring() {
        return takenDuring;
    }

    @Override
    public String toString() {
        return describe();
    }
}
