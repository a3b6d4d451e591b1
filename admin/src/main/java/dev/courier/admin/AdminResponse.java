package dev.courier.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/** What an admin handler answers: an HTTP status, a content type and the body's bytes. */
public record AdminResponse(int status, String contentType, byte[] body) {

    private static final ObjectMapper JSON = new ObjectMapper().disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);

    public static final String JSON_TYPE = "application/json; charset=utf-8";
    public static final String TEXT_TYPE = "text/plain; charset=utf-8";

    /** 200 with {@code value} as JSON (maps, lists, records and beans as Jackson writes them). */
    public static AdminResponse json(Object value) {
        return json(200, value);
    }

    public static AdminResponse json(int status, Object value) {
        try {
            return new AdminResponse(status, JSON_TYPE, JSON.writeValueAsBytes(value));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot write " + value.getClass().getName() + " as JSON", e);
        }
    }

    public static AdminResponse text(int status, String text) {
        return new AdminResponse(status, TEXT_TYPE, text.getBytes(StandardCharsets.UTF_8));
    }

    /** An error answer: {@code {"error": message}}. */
    public static AdminResponse error(int status, String message) {
        return json(status, Map.of("error", message == null ? "" : message));
    }

    /** Reads a request body as JSON of {@code type}; malformed JSON is a 400. */
    public static <T> T readJson(byte[] body, Class<T> type) {
        try {
            return JSON.readValue(body, type);
        } catch (JsonProcessingException e) {
            throw AdminException.badRequest("Malformed JSON body: " + e.getOriginalMessage());
        } catch (java.io.IOException e) {
            throw AdminException.badRequest("Unreadable JSON body: " + e.getMessage());
        }
    }
}
