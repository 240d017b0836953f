package dev.flotilla.protocol;

/**
 * Thrown by {@link EventSerde} when bytes are not a Flotilla event it can read: too short, not Avro
 * single-object encoding, written with a schema whose fingerprint no known version matches, or a body
 * that does not match its schema. The message names the fingerprint (in hex) and the reason; consumers
 * typically send such records to {@link Topics#DEAD_LETTERS}.
 */
public class UndecodableEventException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what could not be decoded and why; not null
   */
  public UndecodableEventException(String message) {
    super(message);
  }

  /**
   * Creates the exception with the decoder's failure as cause.
   *
   * @param message what could not be decoded and why; not null
   * @param cause the failure reported by Avro; may be null
   */
  public UndecodableEventException(String message, Throwable cause) {
    super(message, cause);
  }
}
