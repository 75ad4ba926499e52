package katas.processpoolprimes;

/** The primality test every worker runs. It keeps no state, so any thread may call it; do not change it. */
public final class Primes {

    private Primes() {
    }

    /** True if {@code n} is prime, found by trial division with odd divisors up to its square root. */
    public static boolean isPrime(long n) {
        if (n < 2) {
            return false;
        }
        if (n % 2 == 0) {
            return n == 2;
        }
        for (long d = 3; d * d <= n; d += 2) {
            if (n % d == 0) {
                return false;
            }
        }
        return true;
    }
}
