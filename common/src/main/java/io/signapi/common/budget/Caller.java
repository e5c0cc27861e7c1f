package io.signapi.common.budget;

/** Who asks the budget for a slot; the gateway leaves the worker reserve free while the worker has due work. */
public enum Caller {
    GATEWAY, WORKER
}
