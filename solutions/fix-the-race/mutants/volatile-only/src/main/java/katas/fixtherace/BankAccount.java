package katas.fixtherace;

/** MUTANT volatile-only: the balance is volatile, the check and the debit are still two steps. */
public class BankAccount {

    private volatile long balance;
    private final FraudCheck fraudCheck;

    public BankAccount(long openingBalance, FraudCheck fraudCheck) {
        if (openingBalance < 0) {
            throw new IllegalArgumentException("opening balance must not be negative, was " + openingBalance);
        }
        this.balance = openingBalance;
        this.fraudCheck = fraudCheck;
    }

    public void deposit(long amount) {
        requirePositive(amount);
        balance += amount;
    }

    public boolean withdraw(long amount) {
        requirePositive(amount);
        if (balance < amount) {
            return false;
        }
        fraudCheck.approve(amount);
        balance -= amount;
        return true;
    }

    public long balance() {
        return balance;
    }

    private static void requirePositive(long amount) {
        if (amount <= 0) {
            throw new IllegalArgumentException("amount must be positive, was " + amount);
        }
    }
}
