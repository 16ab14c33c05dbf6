package io.facestream.trainer.mesh;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.parameterserver.distributed.v2.transport.UpdatesHandler;
import org.reactivestreams.Subscription;

/** Counts the other replicas' updates on their way to DL4J's consumer (which queues them for the next step). */
final class MeteredUpdates implements UpdatesHandler {
    private final UpdatesHandler delegate;
    private final MeshCounters counters;

    MeteredUpdates(UpdatesHandler delegate, MeshCounters counters) {
        this.delegate = delegate;
        this.counters = counters;
    }

    @Override
    public INDArray getParametersArray() {
        return delegate.getParametersArray();
    }

    @Override
    public void onSubscribe(Subscription subscription) {
        delegate.onSubscribe(subscription);
    }

    @Override
    public void onNext(INDArray update) {
        delegate.onNext(update);
        counters.received(update.data().length() * update.data().getElementSize());
    }

    @Override
    public void onError(Throwable error) {
        delegate.onError(error);
    }

    @Override
    public void onComplete() {
        delegate.onComplete();
    }
}
