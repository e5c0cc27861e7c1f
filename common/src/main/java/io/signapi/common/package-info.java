/** Shared contract of the Sign API processes: events, topics, hashing, the upstream client and the budget limiter. */
package io.signapi.common;
