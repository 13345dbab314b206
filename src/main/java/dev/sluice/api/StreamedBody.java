package dev.sluice.api;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A resource method that reads its request body itself, as it streams through to the upstream:
 * {@link CountedBodyReader} leaves its body on the connection.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
@interface StreamedBody {
}
