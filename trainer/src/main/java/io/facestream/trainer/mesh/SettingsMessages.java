package io.facestream.trainer.mesh;

import org.nd4j.parameterserver.distributed.v2.messages.impl.base.BaseRequestMessage;
import org.nd4j.parameterserver.distributed.v2.messages.impl.base.BaseResponseMessage;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/** A joiner's request for the root's {@link MeshSettings} (carrying its own, for the root's log) and the answer. */
final class SettingsMessages {
    private SettingsMessages() {
    }

    /** Joiner to root: "your settings", with the joiner's. */
    static final class Request extends BaseRequestMessage {
        private static final long serialVersionUID = 1L;
        private final LinkedHashMap<String, String> settings;

        Request(MeshSettings own) {
            this.messageId = UUID.randomUUID().toString();
            this.settings = new LinkedHashMap<>(own.values());
        }

        MeshSettings settings() {
            return new MeshSettings(settings);
        }
    }

    /** Root to joiner: the root's settings. */
    static final class Response extends BaseResponseMessage {
        private static final long serialVersionUID = 1L;
        private final LinkedHashMap<String, String> settings;

        Response(Map<String, String> root, String requestId) {
            this.messageId = UUID.randomUUID().toString();
            this.requestId = requestId;
            this.settings = new LinkedHashMap<>(root);
        }

        MeshSettings settings() {
            return new MeshSettings(settings);
        }
    }
}
