package dev.sluice.keys;

class InMemoryKeyStoreTest extends KeyStoreContractTest {

    @Override
    protected KeyStore createStore() {
        return new InMemoryKeyStore();
    }
}
