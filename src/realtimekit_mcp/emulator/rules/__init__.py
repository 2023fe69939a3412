"""The emulator's rules, one mixin per resource group; ``EmulatorBackend`` combines them."""
