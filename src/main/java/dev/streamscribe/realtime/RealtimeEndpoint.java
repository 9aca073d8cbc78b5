package dev.streamscribe.realtime;

import dev.streamscribe.config.Hosts;
import dev.streamscribe.realtime.event.SessionSettings;
import dev.streamscribe.realtime.transport.ConnectRequest;

import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Where and how to connect for one dialect (docs/protocol.md sections 1 and 3): the query parameters and the
 * authentication headers. The API key is only turned into a header here and never printed.
 *
 * <ul>
 *   <li>openai-ga: {@code ?model=M} for conversation sessions, {@code ?intent=transcription} (no model) when no
 *       turn asks for a response; {@code Authorization: Bearer KEY}.</li>
 *   <li>openai-beta: {@code ?model=M} always; Bearer; {@code OpenAI-Beta: realtime=v1}.</li>
 *   <li>a URL that already carries {@code model=} (an Azure deployment, a proxy) is used as given: no model and no
 *       intent are added.</li>
 *   <li>inworld: {@code ?key=SESSION_KEY&protocol=realtime} (no model, no intent);
 *       {@code Authorization: Basic KEY} (Inworld's key is already base64: sent as is).</li>
 * </ul>
 */
public record RealtimeEndpoint(Dialect dialect, URI url, Optional<ApiKey> apiKey) {
    public RealtimeEndpoint {
        Objects.requireNonNull(dialect, "dialect");
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(apiKey, "apiKey");
        if (!"ws".equals(url.getScheme()) && !"wss".equals(url.getScheme())) {
            throw new IllegalArgumentException("realtime URL must be ws:// or wss://, got " + url.getScheme());
        }
        if (apiKey.isPresent() && "ws".equals(url.getScheme()) && !Hosts.isLoopback(url.getHost())) {
            // the configuration refuses this too; this guard holds for every other way of building an endpoint
            throw new IllegalArgumentException("refusing to send the API key from " + apiKey.get().source()
                    + " unencrypted to " + url.getHost() + ": use wss:// (ws:// carries a key to loopback only)");
        }
    }

    /**
     * The upgrade request for one provider session.
     *
     * @param sessionKey our unique key for this connection (Inworld's {@code key} parameter)
     */
    public ConnectRequest connectRequest(SessionSettings settings, String sessionKey) {
        Map<String, String> query = new LinkedHashMap<>();
        Map<String, String> headers = new LinkedHashMap<>();
        boolean urlNamesModel = urlNamesModel();
        switch (dialect) {
            case OPENAI_GA -> {
                if (urlNamesModel) {
                    // the operator chose the deployment in the URL (Azure, a proxy): used as given, no intent added
                } else if (settings.transcriptionOnly()) {
                    query.put("intent", "transcription");
                } else {
                    query.put("model", settings.model().orElseThrow());
                }
                apiKey.ifPresent(key -> headers.put("Authorization", "Bearer " + key.reveal()));
            }
            case OPENAI_BETA -> {
                if (!urlNamesModel) {
                    query.put("model", settings.model().orElseThrow());
                }
                apiKey.ifPresent(key -> headers.put("Authorization", "Bearer " + key.reveal()));
                headers.put("OpenAI-Beta", "realtime=v1");
            }
            case INWORLD -> {
                query.put("key", sessionKey);
                query.put("protocol", "realtime");
                apiKey.ifPresent(key -> headers.put("Authorization", "Basic " + key.reveal()));
            }
        }
        return new ConnectRequest(withQuery(url, query), headers);
    }

    /** Whether the configured URL already carries {@code model=}: then it is used as given. */
    boolean urlNamesModel() {
        return modelNamedBy(url).isPresent();
    }

    /** The model a URL names in its query ({@code model=M}), if it names one. */
    public static Optional<String> modelNamedBy(URI url) {
        String query = url.getRawQuery();
        return query == null ? Optional.empty() : Arrays.stream(query.split("&")).filter(p -> p.startsWith("model="))
                .map(p -> URLDecoder.decode(p.substring("model=".length()), StandardCharsets.UTF_8))
                .filter(model -> !model.isBlank()).findFirst();
    }

    private static URI withQuery(URI base, Map<String, String> params) {
        StringBuilder query = new StringBuilder(base.getRawQuery() == null ? "" : base.getRawQuery());
        params.forEach((name, value) -> {
            if (!query.isEmpty()) {
                query.append('&');
            }
            query.append(name).append('=').append(URLEncoder.encode(value, StandardCharsets.UTF_8));
        });
        String text = base.getScheme() + "://" + base.getRawAuthority() + (base.getRawPath() == null ? "" : base.getRawPath())
                + "?" + query;
        return URI.create(text);
    }

    @Override
    public String toString() {
        return "RealtimeEndpoint[" + dialect.id() + " at " + url + (apiKey.isPresent() ? ", with API key" : "") + "]";
    }
}
