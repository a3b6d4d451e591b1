package dev.courier.proxy;

import java.lang.reflect.Method;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** An invoker that records every call and answers with a scripted function. Thread-safe. */
final class RecordingInvoker implements Invoker {

    /** One recorded call. */
    record Call(Method method, Object[] args) {}

    /** The answer to a call. */
    @FunctionalInterface
    interface Answer {
        Object answer(Method method, Object[] args) throws Throwable;
    }

    private final List<Call> calls = new CopyOnWriteArrayList<>();
    private final Answer answer;

    RecordingInvoker(Answer answer) {
        this.answer = answer;
    }

    /** Answers every call with {@code value}. */
    static RecordingInvoker returning(Object value) {
        return new RecordingInvoker((m, a) -> value);
    }

    /** Answers every call by throwing {@code t}. */
    static RecordingInvoker throwing(Throwable t) {
        return new RecordingInvoker((m, a) -> {
            throw t;
        });
    }

    @Override
    public Object invoke(Method method, Object[] args) throws Throwable {
        calls.add(new Call(method, args));
        return answer.answer(method, args);
    }

    List<Call> calls() {
        return calls;
    }

    Call onlyCall() {
        if (calls.size() != 1) {
            throw new AssertionError("expected one call, got " + calls);
        }
        return calls.get(0);
    }

    @Override
    public String toString() {
        return "RecordingInvoker";
    }
}
