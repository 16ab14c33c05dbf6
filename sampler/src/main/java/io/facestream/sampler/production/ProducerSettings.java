package io.facestream.sampler.production;

/**
 * What a {@link PairProducer} needs of the sampler's settings ({@code sampler.*}, read by the sampler's config).
 *
 * @param producerId   written to every record; sequence numbers count per producer id
 * @param topic        where the pairs go (for the logs; the sink knows it)
 * @param trainerGroup the group whose lag pauses the producer (for the logs; the lag probe knows it)
 * @param maxInFlight  most pairs being read or sent at once, {@code >= 1}
 * @param lagHigh      pause when the estimated lag is above this
 * @param lagLow       resume when a reading is below this; {@code 1 <= lagLow <= lagHigh}
 */
public record ProducerSettings(String producerId, String topic, String trainerGroup, int maxInFlight, long lagHigh,
                               long lagLow) {
    public ProducerSettings {
        if (maxInFlight < 1) {
            throw new IllegalArgumentException("maxInFlight must be >= 1, got " + maxInFlight);
        }
    }
}
