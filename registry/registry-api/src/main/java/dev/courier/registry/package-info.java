/**
 * The service registry API: instances, leases, watches and the registry SPI.
 */
package dev.courier.registry;
