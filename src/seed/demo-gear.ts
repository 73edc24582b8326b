// Demo categories carried rather than worn: backpacks, camping, climbing and camp kitchen.

import { colorAxis, type CategorySpec } from './demo-vocabulary.ts';

const torsoAxis = { key: 'size', values: ['S', 'M', 'L'], countRange: [2, 3], mode: 'window' } as const;

export const backpacks: CategorySpec = {
  category: {
    slug: 'backpacks',
    name: 'Backpacks',
    description: 'Daypacks, trekking packs and travel bags that carry well and last for years.',
    position: 3,
  },
  skuPrefix: 'BPK',
  openers: [
    'The {title} carries a full day out without ever feeling like it.',
    'Load it up, cinch it down: the {title} is {aNoun} that stays put.',
    'The {title} goes from the commute to the col without complaint.',
    'Everything in its place and easy to reach: that is the {title}.',
  ],
  closers: [
    'Covered by our lifetime warranty against defects in materials and workmanship.',
    'Spot clean with mild soap; never machine wash.',
    'Fits most airline cabin sizers.',
  ],
  types: [
    {
      noun: 'Daypack', code: 'DAYPACK', priceUsd: [69, 129], axis: colorAxis,
      materials: ['recycled 420-denier nylon', 'waxed cotton canvas', 'ripstop polyester'],
      weightGrams: [480, 820], modifiers: ['Hiking', 'Everyday', 'Lightweight'],
      features: ['A padded laptop sleeve and a quick-grab top pocket.', 'A ventilated mesh back panel keeps air moving.'],
      attributes: { volume: ['18 L', '22 L', '26 L', '30 L'] },
    },
    {
      noun: 'Trekking Pack', code: 'TREK', priceUsd: [179, 299], axis: torsoAxis,
      materials: ['high-tenacity nylon with an aluminium frame', 'recycled ripstop with a HDPE frame sheet'],
      weightGrams: [1450, 2150], modifiers: ['Expedition', 'Multi-Day', 'Adjustable'],
      features: ['An adjustable back system dials in the torso length.', 'The hip belt carries the weight so your shoulders do not.'],
      attributes: { volume: ['48 L', '55 L', '65 L'] },
    },
    {
      noun: 'Hydration Pack', code: 'HYDRO', priceUsd: [79, 139], axis: colorAxis,
      materials: ['stretch mesh and ripstop nylon', 'recycled polyester'],
      weightGrams: [280, 520], modifiers: ['Running', 'Bike', 'Vest'],
      features: ['A two-litre reservoir sleeve with a magnetic hose clip.', 'Front pockets hold soft flasks within reach.'],
      attributes: { volume: ['8 L', '12 L', '15 L'] },
    },
    {
      noun: 'Travel Pack', code: 'TRAVEL', priceUsd: [149, 229], axis: colorAxis,
      materials: ['weatherproof 840-denier nylon', 'recycled sailcloth'],
      weightGrams: [1200, 1650], modifiers: ['Carry-On', 'Clamshell', 'Weekender'],
      features: ['A clamshell opening packs like a suitcase.', 'Stowable straps turn it into a duffel at the check-in desk.'],
      attributes: { volume: ['35 L', '40 L', '45 L'] },
    },
    {
      noun: 'Roll-Top Pack', code: 'ROLLTOP', priceUsd: [99, 159], axis: colorAxis,
      materials: ['welded TPU-coated nylon', 'waterproof tarpaulin'],
      weightGrams: [620, 980], modifiers: ['Waterproof', 'Urban', 'Cargo'],
      features: ['A roll-top closure keeps a downpour out.', 'Expands for a grocery run and rolls down for a light day.'],
      attributes: { volume: ['20 L', '25 L', '30 L'] },
    },
    {
      noun: 'Duffel Bag', code: 'DUFFEL', priceUsd: [89, 159], axis: colorAxis,
      materials: ['laminated polyester', 'recycled ballistic nylon'],
      weightGrams: [900, 1400], modifiers: ['Expedition', 'Weekender', 'Packable'],
      features: ['Removable shoulder straps turn it into a backpack.', 'A wide D-zip opening for easy packing.'],
      attributes: { volume: ['40 L', '60 L', '90 L'] },
    },
    {
      noun: 'Hip Pack', code: 'HIP', priceUsd: [34, 59], axis: colorAxis,
      materials: ['recycled ripstop nylon', 'waxed canvas'],
      weightGrams: [110, 240], modifiers: ['Trail', 'Sling', 'Ultralight'],
      features: ['Wear it on the hips or across the chest.', 'A stretch side pocket holds a water bottle.'],
      attributes: { volume: ['2 L', '3 L', '5 L'] },
    },
  ],
};

export const camping: CategorySpec = {
  category: {
    slug: 'camping',
    name: 'Camping',
    description: 'Tents, sleep systems and camp comforts for nights under the sky.',
    position: 4,
  },
  skuPrefix: 'CMP',
  openers: [
    'The {title} turns any flat patch of ground into a good night.',
    'Pitch it, sleep well, pack it away: the {title} keeps camp simple.',
    'The {title} is {aNoun} for long trips and short weekends alike.',
    'After a hard day, the {title} is what you want waiting at camp.',
  ],
  closers: [
    'Always dry fully before long-term storage.',
    'Ships with a stuff sack and a repair kit.',
    'Covered by our lifetime warranty.',
  ],
  types: [
    {
      noun: 'Backpacking Tent', code: 'TENT', priceUsd: [249, 399],
      axis: { key: 'capacity', values: ['1P', '2P', '3P'], countRange: [2, 3], mode: 'window', stepUsd: 60 },
      materials: ['silicone-coated ripstop nylon with aluminium poles', 'polyester fly with DAC poles'],
      weightGrams: [980, 2300], modifiers: ['Ultralight', 'Freestanding', 'Four-Season'],
      features: ['Two doors and two vestibules mean no climbing over a partner.', 'Colour-coded clips pitch it in the dark.'],
      attributes: { seasons: ['3-season', '3+ season'] },
    },
    {
      noun: 'Sleeping Bag', code: 'BAG', priceUsd: [179, 379],
      axis: { key: 'size', values: ['Regular', 'Long'], countRange: [2, 2], mode: 'window', stepUsd: 20 },
      materials: ['650-fill responsibly sourced down', '800-fill hydrophobic down', 'synthetic insulation'],
      weightGrams: [720, 1350], modifiers: ['Down', 'Mummy', 'Three-Season'],
      features: ['A draft collar and a contoured hood trap the heat you make.', 'A full-length zip vents on warm nights.'],
      attributes: { comfortRating: ['-1 °C', '-4 °C', '-7 °C', '4 °C'] },
    },
    {
      noun: 'Sleeping Pad', code: 'PAD', priceUsd: [79, 179],
      axis: { key: 'size', values: ['Regular', 'Long', 'Wide'], countRange: [2, 3], mode: 'window', stepUsd: 20 },
      materials: ['30-denier nylon with reflective film', 'open-cell foam with a polyester cover'],
      weightGrams: [340, 780], modifiers: ['Insulated', 'Self-Inflating', 'Ultralight'],
      features: ['Inflates in a dozen breaths with the pump sack.', 'Baffles keep you centred through the night.'],
      attributes: { rValue: ['3.2', '4.2', '5.4'] },
    },
    {
      noun: 'Camp Chair', code: 'CHAIR', priceUsd: [59, 119], axis: colorAxis,
      materials: ['ripstop polyester on an aluminium frame', 'mesh with a shock-corded frame'],
      weightGrams: [900, 1400], modifiers: ['Folding', 'High-Back', 'Compact'],
      features: ['Sets up in under a minute with a shock-corded frame.', 'Wide feet stay on top of sand and soft ground.'],
    },
    {
      noun: 'Headlamp', code: 'HEADLAMP', priceUsd: [29, 69], axis: colorAxis,
      materials: ['polycarbonate housing', 'aluminium housing'],
      weightGrams: [55, 110], modifiers: ['Rechargeable', 'Trail', 'Night'],
      features: ['A red mode saves night vision and your tent-mate.', 'USB-C charging and a lock-out for the pack.'],
      attributes: { brightness: ['350 lumens', '450 lumens', '600 lumens'] },
    },
    {
      noun: 'Camp Lantern', code: 'LANTERN', priceUsd: [34, 79], axis: colorAxis,
      materials: ['frosted polycarbonate', 'silicone and recycled plastic'],
      weightGrams: [140, 320], modifiers: ['Collapsible', 'Solar', 'Rechargeable'],
      features: ['A soft, warm light for the whole tent.', 'Hangs from a loop or stands on a table.'],
    },
    {
      noun: 'Hammock', code: 'HAMMOCK', priceUsd: [49, 89], axis: colorAxis,
      materials: ['parachute nylon', 'breathable polyester'],
      weightGrams: [340, 560], modifiers: ['Double', 'Travel', 'Lightweight'],
      features: ['Tree-friendly straps are included.', 'Packs into an attached pouch the size of a grapefruit.'],
    },
    {
      noun: 'Camp Tarp', code: 'TARP', priceUsd: [79, 159], axis: colorAxis,
      materials: ['silicone-coated nylon', 'PU-coated polyester'],
      weightGrams: [300, 720], modifiers: ['Ultralight', 'Hex', 'Family'],
      features: ['Reinforced tie-outs pitch it a dozen ways.', 'Shade at lunch, shelter when it rains.'],
    },
  ],
};

export const climbing: CategorySpec = {
  category: {
    slug: 'climbing',
    name: 'Climbing',
    description: 'Ropes, harnesses and hardware for crag days and big walls.',
    position: 5,
  },
  skuPrefix: 'CLB',
  openers: [
    'The {title} is built for the crag, the gym and everything in between.',
    'Clip in, trust it, forget about it: the {title} does its job.',
    'The {title} is the {noun} we would hand to a friend on their first lead.',
  ],
  closers: [
    'Certified to the relevant UIAA and EN standards.',
    'Inspect before every use and retire it after a serious fall.',
    'Store away from sunlight and chemicals.',
  ],
  types: [
    {
      noun: 'Dynamic Rope', code: 'ROPE', priceUsd: [179, 259],
      axis: { key: 'length', values: ['60 m', '70 m', '80 m'], countRange: [2, 3], mode: 'window', stepUsd: 40 },
      materials: ['nylon core with a dry-treated sheath', 'polyamide kernmantle'],
      weightGrams: [3500, 4900], modifiers: ['Dry', 'Sport', 'Single'],
      features: ['A middle mark makes rappels simpler.', 'A dry treatment keeps it light and supple in wet weather.'],
      attributes: { diameter: ['9.5 mm', '9.8 mm', '10.1 mm'] },
    },
    {
      noun: 'Climbing Harness', code: 'HARNESS', priceUsd: [59, 119], axis: { key: 'size', values: ['XS', 'S', 'M', 'L', 'XL'], countRange: [3, 4], mode: 'window' },
      materials: ['split-webbing construction', 'padded nylon with aluminium buckles'],
      weightGrams: [290, 420], modifiers: ['Sport', 'Alpine', 'All-Day'],
      features: ['Four gear loops and a haul loop.', 'Adjustable leg loops fit over winter layers.'],
    },
    {
      noun: 'Climbing Shoe', code: 'SHOE', priceUsd: [119, 179], axis: { key: 'size', values: ['38', '39', '40', '41', '42', '43', '44'], countRange: [4, 4], mode: 'window' },
      materials: ['synthetic upper with sticky rubber', 'leather upper with sticky rubber'],
      weightGrams: [440, 540], modifiers: ['Aggressive', 'All-Round', 'Slipper'],
      features: ['A downturned last for steep routes.', 'A hook-and-loop closure slides on and off between burns.'],
    },
    {
      noun: 'Chalk Bag', code: 'CHALK', priceUsd: [19, 34], axis: colorAxis,
      materials: ['waxed canvas with a fleece lining', 'recycled ripstop nylon'],
      weightGrams: [70, 110], modifiers: ['Bouldering', 'Roll-Top', 'Classic'],
      features: ['A stiff rim keeps it open for a quick dip.', 'A brush holder and a belt included.'],
    },
    {
      noun: 'Locking Carabiner', code: 'BINER', priceUsd: [14, 24], axis: colorAxis,
      materials: ['hot-forged aluminium', 'anodised aluminium'],
      weightGrams: [45, 80], modifiers: ['Screwgate', 'Belay', 'Pear'],
      features: ['A wide basket handles a Munter hitch.', 'A keylock nose never snags.'],
      attributes: { strength: ['24 kN', '25 kN'] },
    },
    {
      noun: 'Belay Device', code: 'BELAY', priceUsd: [29, 99], axis: colorAxis,
      materials: ['aluminium', 'stainless steel and aluminium'],
      weightGrams: [70, 220], modifiers: ['Assisted', 'Guide', 'Tube'],
      features: ['Smooth to feed, quick to lock off.', 'A guide mode for belaying a second from above.'],
    },
    {
      noun: 'Crash Pad', code: 'CRASHPAD', priceUsd: [179, 279], axis: colorAxis,
      materials: ['ballistic nylon with layered foam', 'recycled nylon with closed-cell foam'],
      weightGrams: [3800, 5600], modifiers: ['Bouldering', 'Taco', 'Hinged'],
      features: ['A carpet landing strip keeps shoes clean.', 'Backpack straps tuck away when it is on the ground.'],
    },
    {
      noun: 'Climbing Helmet', code: 'HELMET', priceUsd: [59, 129], axis: { key: 'size', values: ['S/M', 'M/L'], countRange: [2, 2], mode: 'window' },
      materials: ['EPS foam with a polycarbonate shell', 'hybrid EPP and EPS foam'],
      weightGrams: [200, 340], modifiers: ['Lightweight', 'Alpine', 'Vented'],
      features: ['Headlamp clips front and back.', 'Ventilated for summer crags.'],
    },
  ],
};

export const kitchen: CategorySpec = {
  category: {
    slug: 'kitchen',
    name: 'Camp Kitchen',
    description: 'Stoves, cookware and coffee kit for a hot meal wherever you stop.',
    position: 7,
  },
  skuPrefix: 'KIT',
  openers: [
    'The {title} makes a hot meal the best part of the day.',
    'Coffee at the trailhead, dinner at the lake: the {title} handles both.',
    'The {title} is {aNoun} for cooks who travel light.',
  ],
  closers: [
    'Dishwasher safe.',
    'Hand wash and dry before packing.',
    'Nests with the rest of our camp kitchen.',
  ],
  types: [
    {
      noun: 'Enamel Mug', code: 'MUG', priceUsd: [14, 24], axis: colorAxis,
      materials: ['enamel-coated steel', 'double-wall stainless steel'],
      weightGrams: [140, 260], modifiers: ['Speckled', 'Insulated', 'Classic'],
      features: ['It goes straight on the stove to reheat coffee.', 'A rolled rim that is kind to lips.'],
      attributes: { capacity: ['350 ml', '450 ml'] },
    },
    {
      noun: 'Insulated Bottle', code: 'BOTTLE', priceUsd: [29, 44], axis: colorAxis,
      materials: ['double-wall stainless steel', 'vacuum-insulated steel with a powder coat'],
      weightGrams: [340, 520], modifiers: ['Wide-Mouth', 'Trail', 'Everyday'],
      features: ['Keeps drinks cold for a day and hot through the morning.', 'The wide mouth takes ice cubes.'],
      attributes: { capacity: ['750 ml', '1 L'] },
    },
    {
      noun: 'Camp Stove', code: 'STOVE', priceUsd: [49, 129], axis: colorAxis,
      materials: ['titanium and stainless steel', 'aluminium with a piezo igniter'],
      weightGrams: [85, 420], modifiers: ['Canister', 'Two-Burner', 'Ultralight'],
      features: ['Boils a litre of water in about three minutes.', 'A wide burner head simmers without scorching.'],
    },
    {
      noun: 'Cook Set', code: 'COOKSET', priceUsd: [59, 119], axis: colorAxis,
      materials: ['hard-anodised aluminium', 'titanium'],
      weightGrams: [240, 680], modifiers: ['Nesting', 'Two-Person', 'Ultralight'],
      features: ['The pots nest around a fuel canister.', 'Folding handles lock in place for pouring.'],
    },
    {
      noun: 'Pour-Over Dripper', code: 'POUROVER', priceUsd: [24, 44], axis: colorAxis,
      materials: ['stainless steel mesh', 'food-grade silicone'],
      weightGrams: [40, 120], modifiers: ['Collapsible', 'Stainless', 'Trail'],
      features: ['Brews a proper cup without paper filters.', 'Folds flat into a mug.'],
    },
    {
      noun: 'Titanium Spork', code: 'SPORK', priceUsd: [9, 14], axis: colorAxis,
      materials: ['grade 1 titanium', 'anodised titanium'],
      weightGrams: [16, 20], modifiers: ['Long-Handled', 'Folding', 'Classic'],
      features: ['Long enough to reach the bottom of a meal pouch.', 'Weighs less than a handful of almonds.'],
    },
    {
      noun: 'Cast-Iron Skillet', code: 'SKILLET', priceUsd: [39, 69],
      axis: { key: 'size', values: ['20 cm', '25 cm', '30 cm'], countRange: [2, 3], mode: 'window', stepUsd: 10 },
      materials: ['pre-seasoned cast iron'],
      weightGrams: [1400, 2800], modifiers: ['Campfire', 'Pre-Seasoned', 'Heritage'],
      features: ['Goes from fire grate to table.', 'Gets better with every meal you cook in it.'],
    },
    {
      noun: 'Camp Kettle', code: 'KETTLE', priceUsd: [39, 69], axis: colorAxis,
      materials: ['hard-anodised aluminium', 'stainless steel'],
      weightGrams: [220, 480], modifiers: ['Compact', 'Whistling', 'Ultralight'],
      features: ['A pour spout that does not dribble.', 'A heat-exchanger base saves fuel.'],
      attributes: { capacity: ['1 L', '1.5 L'] },
    },
  ],
};
