package io.signapi.simulator.behaviour;

/** A rejected behaviour setting, naming the field at fault. */
public class InvalidChangeException extends IllegalArgumentException {

    private final String field;

    public InvalidChangeException(String field, String problem) {
        super(field + " " + problem);
        this.field = field;
    }

    public String field() {
        return field;
    }
}
