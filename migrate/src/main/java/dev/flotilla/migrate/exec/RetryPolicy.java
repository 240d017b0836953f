package dev.flotilla.migrate.exec;

import dev.flotilla.migrate.FlotillaException;
import dev.flotilla.migrate.exec.FailureClassifier.Classification;
import dev.flotilla.migrate.url.DatabaseUrl;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.DoubleSupplier;
import java.util.function.Function;

/**
 * Bounded retries of {@link FailureClassifier.Kind#TRANSIENT transient} failures, with exponential
 * back-off and full jitter: before attempt {@code n} it waits a uniformly random time in
 * {@code [0, min(cap, base * 2^(n-2))]}. Permanent failures are never retried; after
 * {@link #maxAttempts()} the last failure is reported. The one retry loop of Flotilla: the worker
 * retries its applies with it, including runs that report a transient failure in their result.
 * Immutable and thread-safe (as long as the random source and sleeper given to it are).
 */
public final class RetryPolicy {
    /** Waits; the production sleeper is {@link Thread#sleep}, tests pass one that only records. */
    @FunctionalInterface
    public interface Sleeper {
        /** Waits for {@code d}; throws when the thread is interrupted. */
        void sleep(Duration d) throws InterruptedException;
    }

    /** Sleeps the calling thread. */
    public static final Sleeper THREAD_SLEEP = d -> TimeUnit.NANOSECONDS.sleep(d.toNanos());

    private final int maxAttempts;
    private final Duration base;
    private final Duration cap;
    private final DoubleSupplier random;
    private final Sleeper sleeper;
    private final Function<Throwable, Classification> classifier;

    /** A policy that sleeps the calling thread and draws jitter from {@link ThreadLocalRandom}. */
    public RetryPolicy(int maxAttempts, Duration base, Duration cap) {
        this(maxAttempts, base, cap, () -> ThreadLocalRandom.current().nextDouble(), THREAD_SLEEP);
    }

    /**
     * A policy with its own randomness and clock, for tests and for callers that must not block.
     *
     * @param maxAttempts attempts in all, at least 1 (1 means no retry)
     * @param base the longest wait before the second attempt; positive
     * @param cap the longest wait before any attempt; at least {@code base}
     * @param random uniform values in {@code [0, 1)}
     * @param sleeper how to wait between attempts
     */
    public RetryPolicy(int maxAttempts, Duration base, Duration cap, DoubleSupplier random, Sleeper sleeper) {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1, was " + maxAttempts);
        }
        if (base.isNegative() || base.isZero() || cap.compareTo(base) < 0) {
            throw new IllegalArgumentException("retry back-off needs 0 < base <= cap, was base " + base.toMillis()
                    + " ms and cap " + cap.toMillis() + " ms");
        }
        this.maxAttempts = maxAttempts;
        this.base = base;
        this.cap = cap;
        this.random = Objects.requireNonNull(random, "random");
        this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
        this.classifier = FailureClassifier::classify;
    }

    private RetryPolicy(RetryPolicy p, Function<Throwable, Classification> classifier) {
        this.maxAttempts = p.maxAttempts;
        this.base = p.base;
        this.cap = p.cap;
        this.random = p.random;
        this.sleeper = p.sleeper;
        this.classifier = Objects.requireNonNull(classifier, "classifier");
    }

    /**
     * The same policy judging failures with {@code classifier} instead of {@link FailureClassifier}
     * alone: for callers whose failures the database rules do not know (a Kafka producer's, say).
     */
    public RetryPolicy withClassifier(Function<Throwable, Classification> classifier) {
        return new RetryPolicy(this, classifier);
    }

    /** 5 attempts, 200 ms base, 10 s cap: at most about 3 s of waiting in all. */
    public static RetryPolicy defaults() {
        return new RetryPolicy(5, Duration.ofMillis(200), Duration.ofSeconds(10));
    }

    /** Attempts in all, including the first. */
    public int maxAttempts() {
        return maxAttempts;
    }

    /**
     * The longest wait before {@code attempt}: {@code min(cap, base * 2^(attempt-2))}.
     *
     * @param attempt 2 to {@link #maxAttempts()}
     */
    public Duration maxDelayBefore(int attempt) {
        if (attempt < 2 || attempt > maxAttempts) {
            throw new IllegalArgumentException("attempt must be between 2 and " + maxAttempts + ", was " + attempt);
        }
        int doublings = attempt - 2;
        long capNanos = cap.toNanos();
        if (doublings >= Long.SIZE - 2 || base.toNanos() > capNanos >> doublings) {
            return cap;
        }
        return Duration.ofNanos(base.toNanos() << doublings);
    }

    /**
     * How long to wait before {@code attempt}: uniform ("full jitter") in {@code [0, maxDelayBefore(attempt)]}.
     *
     * @param attempt 2 to {@link #maxAttempts()}
     */
    public Duration delayBefore(int attempt) {
        long max = maxDelayBefore(attempt).toNanos();
        double u = Math.min(Math.max(random.getAsDouble(), 0.0), 1.0);
        return Duration.ofNanos(Math.min(max, (long) (u * (max + 1.0))));
    }

    /** Whether to try again after {@code attemptsSoFar} failed attempts, the last one classified {@code c}. */
    public boolean shouldRetry(int attemptsSoFar, Classification c) {
        return c.isTransient() && attemptsSoFar < maxAttempts;
    }

    /**
     * Runs {@code work}, retrying transient failures.
     *
     * @param work what to do; it should open its own connection, so that a retry starts clean
     * @param onRetry told before each wait, e.g. {@code attempt 1 of 5 failed (lock timeout); retrying in 173 ms: …}
     * @return what {@code work} returned
     * @throws FlotillaException when a transient failure outlasts {@link #maxAttempts()} ("gave up after 5
     *     attempts: connection refused; last error: …", with the classified code), when the thread is
     *     interrupted (its interrupt flag stays set), or for a permanent checked failure; a permanent
     *     unchecked failure is rethrown as it is
     */
    public <T> T call(Callable<T> work, Consumer<String> onRetry) {
        return call(work, result -> Optional.empty(), onRetry);
    }

    /**
     * Runs {@code work} that reports some transient failures in what it returns rather than by
     * throwing (an apply whose statement hit a deadlock returns a result that says so): thrown
     * failures are handled as by {@link #call(Callable, Consumer)}, and a result for which
     * {@code retryReason} is not empty is retried too. After the last attempt such a result is
     * returned as it is; so is it when the thread is interrupted while waiting (its interrupt flag
     * stays set).
     *
     * @param work what to do; it should open its own connection, so that a retry starts clean
     * @param retryReason for a result, why it is worth another attempt (e.g. its error), or empty when it is final
     * @param onRetry told before each wait, e.g. {@code attempt 1 of 5 failed; retrying in 173 ms: Error 1213 …}
     * @return the first final result, or the last one
     * @throws FlotillaException as {@link #call(Callable, Consumer)} does
     */
    public <T> T call(Callable<T> work, Function<? super T, Optional<String>> retryReason, Consumer<String> onRetry) {
        Objects.requireNonNull(work, "work");
        Objects.requireNonNull(retryReason, "retryReason");
        Objects.requireNonNull(onRetry, "onRetry");
        for (int attempt = 1; ; attempt++) {
            Attempt<T> a = run(work, attempt);
            if (a.failure() != null) {
                waitOut(attempt, a.failure(), onRetry);
                continue;
            }
            Optional<String> reason = retryReason.apply(a.result());
            if (reason.isEmpty() || attempt >= maxAttempts || !pause(attempt, "attempt " + attempt + " of "
                    + maxAttempts + " failed", DatabaseUrl.redact(reason.get()), onRetry)) {
                return a.result();
            }
        }
    }

    /** What one attempt returned, or what it threw (then {@code failure} is not null). */
    private record Attempt<T>(T result, Exception failure) {
    }

    private static <T> Attempt<T> run(Callable<T> work, int attempt) {
        try {
            return new Attempt<>(work.call(), null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw interrupted("during attempt " + attempt, FailureClassifier.classify(e), e);
        } catch (Exception e) {
            return new Attempt<>(null, e);
        }
    }

    /** Waits before the next attempt when {@code failure} is worth one; throws what to report when not. */
    private void waitOut(int attempt, Exception failure, Consumer<String> onRetry) {
        Classification c = classifier.apply(failure);
        if (!shouldRetry(attempt, c)) {
            throw giveUp(attempt, c, failure);
        }
        String what = "attempt " + attempt + " of " + maxAttempts + " failed (" + c.reason() + ")";
        if (!pause(attempt, what, message(failure), onRetry)) {
            throw interrupted("after " + what, c, failure);
        }
    }

    /**
     * Tells {@code onRetry} and waits before attempt {@code attempt + 1}.
     *
     * @return false when the thread is or gets interrupted, which ends the wait; its flag stays set
     */
    private boolean pause(int attempt, String what, String detail, Consumer<String> onRetry) {
        if (Thread.currentThread().isInterrupted()) {
            return false;
        }
        Duration d = delayBefore(attempt + 1);
        onRetry.accept(what + "; retrying in " + d.toMillis() + " ms: " + detail);
        try {
            sleeper.sleep(d);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private RuntimeException giveUp(int attempt, Classification c, Exception failure) {
        if (c.isTransient()) {
            String attempts = attempt == 1 ? "1 attempt" : attempt + " attempts";
            return new FlotillaException(c.code(), "gave up after " + attempts + ": " + c.reason() + "; last error: "
                    + message(failure), failure);
        }
        if (failure instanceof RuntimeException) {
            return (RuntimeException) failure;
        }
        return new FlotillaException(c.code(), c.reason() + ": " + message(failure), failure);
    }

    private static FlotillaException interrupted(String when, Classification c, Exception failure) {
        return new FlotillaException(c.code(), "interrupted " + when + "; not retrying: " + message(failure), failure);
    }

    private static String message(Throwable t) {
        return t.getMessage() == null ? t.getClass().getName() : DatabaseUrl.redact(t.getMessage());
    }
}
